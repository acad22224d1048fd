package dev.sparkprop.spark;

import java.io.Serializable;

/**
 * Partial sums of a gradient pass: gradient SUM over rows, loss sum and row count. Merged
 * pairwise (on the driver in partition order, or by treeAggregate); the driver divides by
 * {@link #rows} once at the end. The zero value has no gradient array, so the zero shipped with
 * every task costs a few bytes.
 */
final class GradientSum implements Serializable {
  private static final long serialVersionUID = 1L;

  double[] gradient; // null for the zero value and for loss-only passes
  double loss;
  long rows;

  GradientSum(double[] gradient, double loss, long rows) {
    this.gradient = gradient;
    this.loss = loss;
    this.rows = rows;
  }

  static GradientSum zero() {
    return new GradientSum(null, 0.0, 0L);
  }

  /** Adds {@code other} into this (reusing this object's array) and returns this. */
  GradientSum merge(GradientSum other) {
    if (other.gradient != null) {
      if (gradient == null) {
        gradient = other.gradient;
      } else {
        double[] g = gradient;
        double[] o = other.gradient;
        for (int i = 0; i < g.length; i++) {
          g[i] += o[i];
        }
      }
    }
    loss += other.loss;
    rows += other.rows;
    return this;
  }
}
