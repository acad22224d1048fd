package dev.sparkprop.nn;

import java.io.Serializable;
import java.util.Locale;
import java.util.Random;

/**
 * Seeded weight initialisation; biases always start at zero.
 *
 * <ul>
 *   <li>{@code normal(std)}: every weight from N(0, std^2); the seed lesson uses std = 0.01.</li>
 *   <li>{@code xavier}: Glorot &amp; Bengio (2010) uniform, U(-a, a) with a = sqrt(6 / (in + out)).</li>
 *   <li>{@code he}: He et al. (2015) normal, N(0, 2 / in).</li>
 *   <li>{@code auto}: per layer, {@code he} for relu/leaky_relu and {@code xavier} otherwise.</li>
 * </ul>
 * The draws use {@link java.util.Random}, whose sequence the Java specification fixes, so the
 * same seed gives the same weights on every JVM.
 */
public record Init(Kind kind, double std) implements Serializable {
  /** The initialisation schemes. */
  public enum Kind { AUTO, NORMAL, XAVIER, HE }

  public static final Init AUTO = new Init(Kind.AUTO, 0);
  public static final Init XAVIER = new Init(Kind.XAVIER, 0);
  public static final Init HE = new Init(Kind.HE, 0);

  public Init {
    Checks.arg(kind != Kind.NORMAL || (std > 0 && Double.isFinite(std)),
        "normal init needs a finite std > 0, got %s", std);
  }

  public static Init normal(double std) {
    return new Init(Kind.NORMAL, std);
  }

  /** Parses {@code auto}, {@code xavier}, {@code he} or {@code normal(0.01)}. */
  public static Init parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    switch (t) {
      case "auto": return AUTO;
      case "xavier": return XAVIER;
      case "he": return HE;
      default:
        if (t.startsWith("normal(") && t.endsWith(")")) {
          try {
            return normal(Double.parseDouble(t.substring(7, t.length() - 1).trim()));
          } catch (NumberFormatException e) {
            // fall through to the message below
          }
        }
        throw new IllegalArgumentException("unknown init '" + text
            + "', expected auto, xavier, he or normal(STD) such as normal(0.01)");
    }
  }

  /** The text form accepted by {@link #parse(String)}. */
  public String id() {
    return kind == Kind.NORMAL ? "normal(" + std + ")" : kind.name().toLowerCase(Locale.ROOT);
  }

  /** A fresh parameter vector for {@code spec}, drawn from {@code seed}. */
  public double[] initialize(NetworkSpec spec, long seed) {
    double[] params = new double[spec.numParams()];
    Random random = new Random(seed);
    for (int l = 0; l < spec.numLayers(); l++) {
      LayerSpec layer = spec.layer(l);
      int off = spec.weightOffset(l);
      int n = layer.inputs() * layer.outputs();
      Kind k = kind;
      if (k == Kind.AUTO) {
        k = layer.activation() == Activation.RELU || layer.activation() == Activation.LEAKY_RELU
            ? Kind.HE : Kind.XAVIER;
      }
      switch (k) {
        case NORMAL -> {
          for (int i = 0; i < n; i++) {
            params[off + i] = std * random.nextGaussian();
          }
        }
        case XAVIER -> {
          double a = Math.sqrt(6.0 / (layer.inputs() + layer.outputs()));
          for (int i = 0; i < n; i++) {
            params[off + i] = a * (2.0 * random.nextDouble() - 1.0);
          }
        }
        case HE -> {
          double s = Math.sqrt(2.0 / layer.inputs());
          for (int i = 0; i < n; i++) {
            params[off + i] = s * random.nextGaussian();
          }
        }
        default -> throw new IllegalStateException(k.toString());
      }
    }
    return params;
  }
}
