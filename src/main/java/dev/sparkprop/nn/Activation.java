package dev.sparkprop.nn;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Element-wise activation of a dense layer. Every activation except softmax has a derivative
 * that can be computed from its own output {@code a = f(z)}, so the backward pass keeps only
 * the layers' outputs. Softmax acts on a whole column (one row of data) and is only allowed on
 * the output layer together with the cross-entropy loss, whose fused gradient never needs it.
 */
public enum Activation {
  SIGMOID("sigmoid"),
  TANH("tanh"),
  RELU("relu"),
  /** max(z, 0.01 z): the slope for z < 0 is {@link #LEAKY_SLOPE}. */
  LEAKY_RELU("leaky_relu"),
  IDENTITY("identity"),
  SOFTMAX("softmax");

  /** Slope of {@link #LEAKY_RELU} for negative inputs. */
  public static final double LEAKY_SLOPE = 0.01;

  private final String id;

  Activation(String id) {
    this.id = id;
  }

  /** The name used in configuration files and model metadata. */
  public String id() {
    return id;
  }

  /** Parses a configuration name such as {@code "leaky_relu"}. */
  public static Activation fromId(String id) {
    Checks.arg(id != null, "no activation given");
    for (Activation a : values()) {
      if (a.id.equals(id.toLowerCase(Locale.ROOT))) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown activation '" + id + "', expected one of "
        + Arrays.stream(values()).map(Activation::id).collect(Collectors.joining(", ")));
  }

  /**
   * Applies the activation in place to the column-major {@code rows x cols} matrix stored in
   * {@code z} from offset 0 (each column is one data row); {@code z} is overwritten with f(z).
   */
  public void apply(double[] z, int rows, int cols) {
    final int n = rows * cols;
    switch (this) {
      case SIGMOID -> VectorMath.sigmoid(z, n);
      case TANH -> {
        for (int i = 0; i < n; i++) {
          z[i] = Math.tanh(z[i]);
        }
      }
      case RELU -> {
        for (int i = 0; i < n; i++) {
          z[i] = z[i] > 0 ? z[i] : 0.0;
        }
      }
      case LEAKY_RELU -> {
        for (int i = 0; i < n; i++) {
          z[i] = z[i] > 0 ? z[i] : LEAKY_SLOPE * z[i];
        }
      }
      case IDENTITY -> { }
      case SOFTMAX -> {
        for (int c = 0; c < cols; c++) {
          softmaxColumn(z, c * rows, rows);
        }
      }
      default -> throw new IllegalStateException(this.toString());
    }
  }

  /**
   * Multiplies {@code delta} element-wise by f'(z), computed from the activation's output
   * {@code a = f(z)}; both are column-major with {@code n} leading elements used.
   * {@code delta} is overwritten. Not defined for softmax (its gradient is fused into the loss).
   */
  public void multiplyByDerivative(double[] delta, double[] a, int n) {
    switch (this) {
      case SIGMOID -> {
        for (int i = 0; i < n; i++) {
          delta[i] *= a[i] * (1.0 - a[i]);
        }
      }
      case TANH -> {
        for (int i = 0; i < n; i++) {
          delta[i] *= 1.0 - a[i] * a[i];
        }
      }
      case RELU -> {
        for (int i = 0; i < n; i++) {
          if (a[i] <= 0) {
            delta[i] = 0.0;
          }
        }
      }
      case LEAKY_RELU -> {
        for (int i = 0; i < n; i++) {
          if (a[i] <= 0) {
            delta[i] *= LEAKY_SLOPE;
          }
        }
      }
      case IDENTITY -> { }
      case SOFTMAX -> throw new IllegalStateException(
          "softmax has no element-wise derivative; it is only used fused with cross_entropy");
      default -> throw new IllegalStateException(this.toString());
    }
  }

  /**
   * {@link #apply(double[], int, int)} in float, for the hidden layers of a float32 block.
   * Softmax, an output activation only, always runs in double ({@link Network}).
   */
  public void apply(float[] z, int rows, int cols) {
    final int n = rows * cols;
    switch (this) {
      case SIGMOID -> VectorMath.sigmoid(z, n);
      case TANH -> {
        for (int i = 0; i < n; i++) {
          z[i] = (float) Math.tanh(z[i]);
        }
      }
      case RELU -> {
        for (int i = 0; i < n; i++) {
          z[i] = z[i] > 0 ? z[i] : 0.0f;
        }
      }
      case LEAKY_RELU -> {
        for (int i = 0; i < n; i++) {
          z[i] = z[i] > 0 ? z[i] : (float) LEAKY_SLOPE * z[i];
        }
      }
      case IDENTITY -> { }
      default -> throw new IllegalStateException(id + " is not computed in float");
    }
  }

  /** {@link #multiplyByDerivative(double[], double[], int)} in float (float32 blocks). */
  public void multiplyByDerivative(float[] delta, float[] a, int n) {
    switch (this) {
      case SIGMOID -> {
        for (int i = 0; i < n; i++) {
          delta[i] *= a[i] * (1.0f - a[i]);
        }
      }
      case TANH -> {
        for (int i = 0; i < n; i++) {
          delta[i] *= 1.0f - a[i] * a[i];
        }
      }
      case RELU -> {
        for (int i = 0; i < n; i++) {
          if (a[i] <= 0) {
            delta[i] = 0.0f;
          }
        }
      }
      case LEAKY_RELU -> {
        for (int i = 0; i < n; i++) {
          if (a[i] <= 0) {
            delta[i] *= (float) LEAKY_SLOPE;
          }
        }
      }
      case IDENTITY -> { }
      default -> throw new IllegalStateException(id + " is not computed in float");
    }
  }

  /** In-place softmax of {@code z[off .. off+len)}; returns log(sum(exp(z))) of the input. */
  static double softmaxColumn(double[] z, int off, int len) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < len; k++) {
      max = Math.max(max, z[off + k]);
    }
    double sum = 0;
    for (int k = 0; k < len; k++) {
      double e = Math.exp(z[off + k] - max);
      z[off + k] = e;
      sum += e;
    }
    double inv = 1.0 / sum;
    for (int k = 0; k < len; k++) {
      z[off + k] *= inv;
    }
    return max + Math.log(sum);
  }
}
