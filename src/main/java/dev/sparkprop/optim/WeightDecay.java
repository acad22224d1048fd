package dev.sparkprop.optim;

import dev.sparkprop.nn.Checks;
import dev.sparkprop.nn.NetworkSpec;

/**
 * The L2 penalty {@code lambda/2 * sum W^2} over every layer's weight matrix, biases excluded
 * (they shift, not scale, and decaying them only biases the fit), and its gradient
 * {@code lambda * W}. The parameter layout is {@link NetworkSpec}'s.
 */
public final class WeightDecay implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final double lambda;
  private final int[] from;
  private final int[] to;

  private WeightDecay(double lambda, int[] from, int[] to) {
    this.lambda = lambda;
    this.from = from;
    this.to = to;
  }

  /** The penalty of coefficient {@code lambda} over {@code spec}'s weight matrices. */
  public static WeightDecay of(NetworkSpec spec, double lambda) {
    Checks.arg(lambda >= 0 && Double.isFinite(lambda),
        "weight decay must be a finite number >= 0, got %s", lambda);
    int layers = spec.numLayers();
    int[] from = new int[layers];
    int[] to = new int[layers];
    for (int l = 0; l < layers; l++) {
      from[l] = spec.weightOffset(l);
      to[l] = spec.biasOffset(l);
    }
    return new WeightDecay(lambda, from, to);
  }

  /** No penalty. */
  public static WeightDecay none() {
    return new WeightDecay(0.0, new int[0], new int[0]);
  }

  public double lambda() {
    return lambda;
  }

  /** {@code lambda/2 * sum W^2} at {@code params}. */
  public double penalty(double[] params) {
    if (lambda == 0) {
      return 0.0;
    }
    double sum = 0;
    for (int l = 0; l < from.length; l++) {
      for (int i = from[l]; i < to[l]; i++) {
        sum += params[i] * params[i];
      }
    }
    return 0.5 * lambda * sum;
  }

  /** Adds {@code lambda * W} to the weight entries of {@code gradient} in place. */
  public void addGradient(double[] params, double[] gradient) {
    if (lambda == 0) {
      return;
    }
    for (int l = 0; l < from.length; l++) {
      for (int i = from[l]; i < to[l]; i++) {
        gradient[i] += lambda * params[i];
      }
    }
  }
}
