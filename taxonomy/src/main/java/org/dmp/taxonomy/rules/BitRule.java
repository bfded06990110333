package org.dmp.taxonomy.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * A trait rule whose comparisons are bits of a {@link ComparisonTable}: judging it reads no value.
 *
 * <p>The rule is held as one array of longs, a flat tree, and judged by one method, not as a tree
 * of objects judged through interfaces and lambdas: with thousands of rules per event, those calls
 * and the memory they touch cost more than the comparisons themselves.
 */
public final class BitRule {
  /**
   * The bits of the values an event holds, by key number; null for a key the event does not hold.
   */
  @FunctionalInterface
  public interface Truths {
    long[] of(int keyNumber);
  }

  /** One comparison's bit: the key's number, and where in the key's bit set. */
  public record Bit(int keyNumber, int word, int bit) {
    /** The comparison's number among the key's. */
    public int index() {
      return word << 6 | bit;
    }
  }

  // Node i is code[i]: its kind in the low 2 bits, then for a leaf its key (30 bits), word (16) and
  // bit (6); for NOT its operand's node; for AND and OR where their children's nodes are listed,
  // after the nodes, and how many.
  private static final int LEAF = 0;
  private static final int NOT = 1;
  private static final int AND = 2;
  private static final int OR = 3;

  private final long[] code;
  private final List<Bit> triggers;

  BitRule(Expr<Bit> expr) {
    List<Bit> clause = necessaryClause(expr);
    triggers = clause == null ? null : clause.stream().distinct().toList();
    List<Expr<Bit>> nodes = new ArrayList<>();
    collect(expr, nodes);
    List<Long> code = new ArrayList<>();
    List<Long> children = new ArrayList<>();
    for (Expr<Bit> node : nodes) {
      if (node instanceof Expr.Leaf<Bit> leaf) {
        Bit bit = leaf.leaf();
        if (bit.word() >= 1 << 16 || bit.keyNumber() >= 1 << 30) {
          throw new IllegalArgumentException("too many comparisons for one taxonomy");
        }
        code.add(
            LEAF | (long) bit.keyNumber() << 2 | (long) bit.word() << 32 | (long) bit.bit() << 48);
      } else if (node instanceof Expr.Not<Bit> not) {
        code.add(NOT | (long) indexOf(nodes, not.term()) << 2);
      } else {
        List<Expr<Bit>> terms =
            node instanceof Expr.And<Bit> and ? and.terms() : ((Expr.Or<Bit>) node).terms();
        code.add(
            (node instanceof Expr.And ? AND : OR)
                | (long) (nodes.size() + children.size()) << 2
                | (long) terms.size() << 32);
        terms.forEach(term -> children.add((long) indexOf(nodes, term)));
      }
    }
    code.addAll(children);
    this.code = code.stream().mapToLong(Long::longValue).toArray();
  }

  /**
   * Bits of which the rule needs at least one set to hold, or null if it can hold with none (a NOT
   * of a comparison, say). An AND needs what any one of its terms needs (the shortest such list is
   * taken), an OR what all of its terms need together.
   */
  private static List<Bit> necessaryClause(Expr<Bit> expr) {
    if (expr instanceof Expr.Leaf<Bit> leaf) {
      return List.of(leaf.leaf());
    }
    if (expr instanceof Expr.And<Bit> and) {
      List<Bit> shortest = null;
      for (Expr<Bit> term : and.terms()) {
        List<Bit> clause = necessaryClause(term);
        if (clause != null && (shortest == null || clause.size() < shortest.size())) {
          shortest = clause;
        }
      }
      return shortest;
    }
    if (expr instanceof Expr.Or<Bit> or) {
      List<Bit> all = new ArrayList<>();
      for (Expr<Bit> term : or.terms()) {
        List<Bit> clause = necessaryClause(term);
        if (clause == null) {
          return null;
        }
        all.addAll(clause);
      }
      return all;
    }
    return null;
  }

  /**
   * Bits of which at least one must be set for the rule to hold, so that a rule need only be judged
   * for events that set one; null if the rule can hold with none set.
   */
  public List<Bit> triggers() {
    return triggers;
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

  /**
   * A key with several values satisfies a comparison if any of them does, so its bits are those of
   * its values, OR-ed.
   */
  public boolean matches(Truths truths) {
    return matches(0, truths);
  }

  private boolean matches(int node, Truths truths) {
    long op = code[node];
    int kind = (int) op & 3;
    if (kind == LEAF) {
      long[] bits = truths.of((int) (op >>> 2) & 0x3fff_ffff);
      return bits != null && (bits[(int) (op >>> 32) & 0xffff] & 1L << (op >>> 48)) != 0;
    }
    int operand = (int) (op >>> 2) & 0x3fff_ffff;
    if (kind == NOT) {
      return !matches(operand, truths);
    }
    boolean and = kind == AND;
    for (int child = operand, end = child + (int) (op >>> 32); child < end; child++) {
      if (matches((int) code[child], truths) != and) {
        return !and;
      }
    }
    return and;
  }
}
