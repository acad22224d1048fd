package dev.sparkprop.spark;

import java.io.Serializable;

/**
 * Partial sums of a gradient pass: gradient SUM over rows, loss sum and row count. Merged
 * pairwise (on the driver in partition order, or by treeAggregate); the driver divides by
 * {@link #rows} once at the end. The zero value has no gradient array, so the zero shipped with
 * every task costs a few bytes. The gradient is serialised as raw bytes
 * ({@link dev.sparkprop.nn.Doubles}).
 */
final class GradientSum implements Serializable {
  private static final long serialVersionUID = 1L;

  transient double[] gradient; // null for the zero value and for loss-only passes
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

  // The gradient as raw bytes (Doubles): Java serialisation's per-value writes of P doubles
  // cost as much CPU as a mini-batch step's products on the image network.
  private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
    out.defaultWriteObject();
    dev.sparkprop.nn.Doubles.write(out, gradient);
  }

  private void readObject(java.io.ObjectInputStream in) throws java.io.IOException,
      ClassNotFoundException {
    in.defaultReadObject();
    gradient = dev.sparkprop.nn.Doubles.read(in);
  }

  /**
   * Overwrites {@code gradient} with this sum's mean over its rows and returns the mean loss
   * and the rows (a zero gradient and loss for no rows): a mini-batch step's result.
   */
  dev.sparkprop.train.Objective.BatchLoss meanInto(double[] gradient) {
    if (rows == 0) {
      java.util.Arrays.fill(gradient, 0.0);
      return new dev.sparkprop.train.Objective.BatchLoss(0.0, 0);
    }
    double inv = 1.0 / rows;
    for (int i = 0; i < gradient.length; i++) {
      gradient[i] = this.gradient[i] * inv;
    }
    return new dev.sparkprop.train.Objective.BatchLoss(loss * inv, rows);
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
