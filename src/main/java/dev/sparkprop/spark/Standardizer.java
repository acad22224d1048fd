package dev.sparkprop.spark;

import java.io.Serializable;

/**
 * {@code (v - mean) * (1 / std)} per column, the one place it is written: training blocks
 * ({@link BlockStacker}) and prediction rows ({@link Predictor}) go through this same code, so
 * a row gets bit-identical features in both.
 */
final class Standardizer implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double[] mean;
  private final double[] scale;

  private Standardizer(double[] mean, double[] std) {
    this.mean = mean.clone();
    this.scale = new double[std.length];
    for (int i = 0; i < std.length; i++) {
      scale[i] = 1.0 / std[i];
    }
  }

  /** The standardizer of these statistics, or null when there are none (no scaling). */
  static Standardizer of(double[] mean, double[] std) {
    return mean == null || std == null ? null : new Standardizer(mean, std);
  }

  /** Overwrites {@code v[off, off + columns)} with its standardised values. */
  void apply(double[] v, int off) {
    for (int i = 0; i < mean.length; i++) {
      v[off + i] = (v[off + i] - mean[i]) * scale[i];
    }
  }
}
