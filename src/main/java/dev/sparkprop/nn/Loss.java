package dev.sparkprop.nn;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Loss of one data row, summed over the rows of a block. The network's objective is the mean
 * over all N rows, {@code J = (1/N) sum_n loss_n}; a block call returns the SUM and the caller
 * divides by N once, so blocks of different sizes are weighted by their rows.
 *
 * <ul>
 *   <li>{@code mse}: {@code loss_n = 1/2 sum_k (h_nk - y_nk)^2}, so dJ/dh = (h - y)/N: one
 *       gradient-descent step on one sample is exactly the seed lesson's step.</li>
 *   <li>{@code cross_entropy} (softmax output only): {@code loss_n = -sum_k y_nk log p_nk}, with
 *       {@code log p = z - logsumexp(z)}; fused gradient dJ/dz = (p - y)/N. Targets are either a
 *       class index per row (target width 1) or a distribution over the K classes (width K).</li>
 *   <li>{@code binary_cross_entropy} (sigmoid output only): per output
 *       {@code max(z,0) - z y + log(1 + exp(-|z|))}, stable for any z; dJ/dz = (sigmoid(z) - y)/N.</li>
 * </ul>
 */
public enum Loss {
  MSE("mse"),
  CROSS_ENTROPY("cross_entropy"),
  BINARY_CROSS_ENTROPY("binary_cross_entropy");

  private final String id;

  Loss(String id) {
    this.id = id;
  }

  /** The name used in configuration files and model metadata. */
  public String id() {
    return id;
  }

  /** Parses a configuration name such as {@code "cross_entropy"}. */
  public static Loss fromId(String id) {
    Checks.arg(id != null, "no loss given");
    for (Loss l : values()) {
      if (l.id.equals(id.toLowerCase(Locale.ROOT))) {
        return l;
      }
    }
    throw new IllegalArgumentException("unknown loss '" + id + "', expected one of "
        + Arrays.stream(values()).map(Loss::id).collect(Collectors.joining(", ")));
  }

  /**
   * Rejects an output activation that makes no sense with this loss.
   *
   * @throws IllegalArgumentException naming the pair and what would work
   */
  public void checkOutputActivation(Activation output, int outputs) {
    switch (this) {
      case MSE -> Checks.arg(output != Activation.SOFTMAX,
          "loss mse cannot be used with a softmax output layer; use loss cross_entropy with "
              + "softmax, or an identity/sigmoid/tanh output with mse");
      case CROSS_ENTROPY -> {
        Checks.arg(output == Activation.SOFTMAX,
            "loss cross_entropy needs a softmax output layer, got %s; use softmax, or "
                + "binary_cross_entropy with a sigmoid output", output.id());
        Checks.arg(outputs >= 2, "a softmax output layer needs at least 2 units, got %s", outputs);
      }
      case BINARY_CROSS_ENTROPY -> Checks.arg(output == Activation.SIGMOID,
          "loss binary_cross_entropy needs a sigmoid output layer, got %s", output.id());
      default -> throw new IllegalStateException(this.toString());
    }
  }

  /** Whether a target of width 1 is a class index (0..K-1) rather than a value per output. */
  public boolean usesClassIndex(int targetWidth, int outputs) {
    return this == CROSS_ENTROPY && targetWidth == 1 && outputs > 1;
  }

  private static void checkClass(double label, int classes) {
    if (!(label >= 0 && label < classes && label == Math.rint(label))) {
      throw new IllegalArgumentException("class index " + label + " is not an integer in 0.."
          + (classes - 1));
    }
  }

  /**
   * Turns the output layer's pre-activations into outputs and, if {@code delta} is not null,
   * the loss gradient with respect to them, for {@code cols} data rows.
   *
   * <p>{@code z} (outputs x cols, column-major) is overwritten with the activations h = f(z).
   * {@code delta}, if given, is overwritten with the per-row gradient dLoss_n/dz (not divided by
   * N). {@code y} holds the targets column-major with {@code targetWidth} values per row.
   *
   * @return the sum over the {@code cols} rows of the per-row loss
   */
  public double outputLossAndDelta(Activation act, double[] z, int outputs, int cols,
      double[] y, int targetWidth, double[] delta) {
    final int n = outputs * cols;
    switch (this) {
      case MSE -> {
        act.apply(z, outputs, cols);
        double sum = 0;
        for (int i = 0; i < n; i++) {
          double d = z[i] - y[i];
          sum += d * d;
          if (delta != null) {
            delta[i] = d;
          }
        }
        if (delta != null) {
          act.multiplyByDerivative(delta, z, n);
        }
        return 0.5 * sum;
      }
      case CROSS_ENTROPY -> {
        final boolean index = usesClassIndex(targetWidth, outputs);
        double sum = 0;
        for (int c = 0; c < cols; c++) {
          final int off = c * outputs;
          // loss = sum_k y_k (lse - z_k): computed from z before softmax overwrites it.
          double max = Double.NEGATIVE_INFINITY;
          for (int k = 0; k < outputs; k++) {
            max = Math.max(max, z[off + k]);
          }
          double s = 0;
          for (int k = 0; k < outputs; k++) {
            s += Math.exp(z[off + k] - max);
          }
          final double lse = max + Math.log(s);
          if (index) {
            checkClass(y[c], outputs);
            sum += lse - z[off + (int) y[c]];
          } else {
            for (int k = 0; k < outputs; k++) {
              double t = y[off + k];
              if (t != 0) {
                sum += t * (lse - z[off + k]);
              }
            }
          }
          for (int k = 0; k < outputs; k++) {
            z[off + k] = Math.exp(z[off + k] - lse);
          }
          if (delta != null) {
            if (index) {
              for (int k = 0; k < outputs; k++) {
                delta[off + k] = z[off + k];
              }
              delta[off + (int) y[c]] -= 1.0;
            } else {
              for (int k = 0; k < outputs; k++) {
                delta[off + k] = z[off + k] - y[off + k];
              }
            }
          }
        }
        return sum;
      }
      case BINARY_CROSS_ENTROPY -> {
        double sum = 0;
        for (int i = 0; i < n; i++) {
          double zi = z[i];
          double t = y[i];
          sum += Math.max(zi, 0) - zi * t + Math.log1p(Math.exp(-Math.abs(zi)));
          double h = VectorMath.sigmoid(zi);
          z[i] = h;
          if (delta != null) {
            delta[i] = h - t;
          }
        }
        return sum;
      }
      default -> throw new IllegalStateException(this.toString());
    }
  }
}
