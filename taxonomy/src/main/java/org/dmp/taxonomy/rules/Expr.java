package org.dmp.taxonomy.rules;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A boolean combination of leaves: AND, OR, NOT and parentheses over comparisons (trait rules) or
 * trait frequencies (segment rules).
 */
sealed interface Expr<L> {
  /** Evaluates with short-circuiting, leaves judged by {@code leafTest}. */
  boolean test(Predicate<L> leafTest);

  /** Visits every leaf. */
  void forEachLeaf(Consumer<L> visitor);

  /** The same combination over leaves replaced by {@code leafMapping}. */
  <M> Expr<M> map(Function<L, M> leafMapping);

  record And<L>(List<Expr<L>> terms) implements Expr<L> {
    @Override
    public boolean test(Predicate<L> leafTest) {
      for (Expr<L> term : terms) {
        if (!term.test(leafTest)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public <M> Expr<M> map(Function<L, M> leafMapping) {
      return new And<>(terms.stream().map(term -> term.map(leafMapping)).toList());
    }

    @Override
    public void forEachLeaf(Consumer<L> visitor) {
      terms.forEach(term -> term.forEachLeaf(visitor));
    }
  }

  record Or<L>(List<Expr<L>> terms) implements Expr<L> {
    @Override
    public boolean test(Predicate<L> leafTest) {
      for (Expr<L> term : terms) {
        if (term.test(leafTest)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public <M> Expr<M> map(Function<L, M> leafMapping) {
      return new Or<>(terms.stream().map(term -> term.map(leafMapping)).toList());
    }

    @Override
    public void forEachLeaf(Consumer<L> visitor) {
      terms.forEach(term -> term.forEachLeaf(visitor));
    }
  }

  record Not<L>(Expr<L> term) implements Expr<L> {
    @Override
    public boolean test(Predicate<L> leafTest) {
      return !term.test(leafTest);
    }

    @Override
    public <M> Expr<M> map(Function<L, M> leafMapping) {
      return new Not<>(term.map(leafMapping));
    }

    @Override
    public void forEachLeaf(Consumer<L> visitor) {
      term.forEachLeaf(visitor);
    }
  }

  record Leaf<L>(L leaf) implements Expr<L> {
    @Override
    public boolean test(Predicate<L> leafTest) {
      return leafTest.test(leaf);
    }

    @Override
    public <M> Expr<M> map(Function<L, M> leafMapping) {
      return new Leaf<>(leafMapping.apply(leaf));
    }

    @Override
    public void forEachLeaf(Consumer<L> visitor) {
      visitor.accept(leaf);
    }
  }
}
