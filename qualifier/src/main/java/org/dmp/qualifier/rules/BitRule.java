package org.dmp.qualifier.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * A trait rule whose comparisons are bits of a {@link ComparisonTable}: judging it reads no value.
 *
 * <p>The rule is held as a flat tree of arrays and judged by one method, not as a tree of objects
 * judged through interfaces and lambdas: with thousands of rules per event those calls, which the
 * JIT cannot inline across so many shapes, cost more than the comparisons themselves.
 */
public final class BitRule {
  /** The bits of the values an event holds, by key number; null for a key the event does not hold. */
  @FunctionalInterface
  public interface Truths {
    long[] of(int keyNumber);
  }

  record Bit(int keyNumber, int word, long mask) {}

  private static final byte LEAF = 0;
  private static final byte NOT = 1;
  private static final byte AND = 2;
  private static final byte OR = 3;

  /** Per node: its kind; a leaf's key, NOT's operand, or AND's and OR's first child in {@code children}; a leaf's word, or the child count. */
  private final byte[] kinds;
  private final int[] firsts;
  private final int[] seconds;
  private final long[] masks;
  private final int[] children;

  BitRule(Expr<Bit> expr) {
    List<Expr<Bit>> nodes = new ArrayList<>();
    List<Integer> childNodes = new ArrayList<>();
    collect(expr, nodes);
    kinds = new byte[nodes.size()];
    firsts = new int[nodes.size()];
    seconds = new int[nodes.size()];
    masks = new long[nodes.size()];
    for (int node = 0; node < nodes.size(); node++) {
      Expr<Bit> current = nodes.get(node);
      if (current instanceof Expr.Leaf<Bit> leaf) {
        kinds[node] = LEAF;
        firsts[node] = leaf.leaf().keyNumber();
        seconds[node] = leaf.leaf().word();
        masks[node] = leaf.leaf().mask();
      } else if (current instanceof Expr.Not<Bit> not) {
        kinds[node] = NOT;
        firsts[node] = indexOf(nodes, not.term());
      } else {
        List<Expr<Bit>> terms = current instanceof Expr.And<Bit> and ? and.terms() : ((Expr.Or<Bit>) current).terms();
        kinds[node] = current instanceof Expr.And ? AND : OR;
        firsts[node] = childNodes.size();
        seconds[node] = terms.size();
        terms.forEach(term -> childNodes.add(indexOf(nodes, term)));
      }
    }
    children = childNodes.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Every node, parents before children; the root is node 0. */
  private static void collect(Expr<Bit> expr, List<Expr<Bit>> nodes) {
    nodes.add(expr);
    if (expr instanceof Expr.Not<Bit> not) {
      collect(not.term(), nodes);
    } else if (expr instanceof Expr.And<Bit> and) {
      and.terms().forEach(term -> collect(term, nodes));
    } else if (expr instanceof Expr.Or<Bit> or) {
      or.terms().forEach(term -> collect(term, nodes));
    }
  }

  /** By identity: equal subtrees are distinct nodes. */
  private static int indexOf(List<Expr<Bit>> nodes, Expr<Bit> node) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) == node) {
        return i;
      }
    }
    throw new IllegalStateException("not a node of this rule");
  }

  /** A key with several values satisfies a comparison if any of them does, so its bits are those of its values, OR-ed. */
  public boolean matches(Truths truths) {
    return matches(0, truths);
  }

  private boolean matches(int node, Truths truths) {
    switch (kinds[node]) {
      case LEAF -> {
        long[] bits = truths.of(firsts[node]);
        return bits != null && (bits[seconds[node]] & masks[node]) != 0;
      }
      case NOT -> {
        return !matches(firsts[node], truths);
      }
      case AND -> {
        for (int child = firsts[node], end = child + seconds[node]; child < end; child++) {
          if (!matches(children[child], truths)) {
            return false;
          }
        }
        return true;
      }
      default -> {
        for (int child = firsts[node], end = child + seconds[node]; child < end; child++) {
          if (matches(children[child], truths)) {
            return true;
          }
        }
        return false;
      }
    }
  }
}
