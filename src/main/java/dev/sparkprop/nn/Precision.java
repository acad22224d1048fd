package dev.sparkprop.nn;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The arithmetic of a {@link Block}'s forward and backward pass. {@code float64}: everything in
 * double with dgemm. {@code float32}: the block's features and the hidden layers' activations
 * and deltas in float with sgemm (half the bytes cached and streamed, about twice the
 * arithmetic rate); the parameters, the output layer's loss and delta, and the gradient sums
 * stay double (see {@link Network}).
 */
public enum Precision {
  FLOAT64("float64"),
  FLOAT32("float32");

  private final String id;

  Precision(String id) {
    this.id = id;
  }

  /** The name used in configuration files. */
  public String id() {
    return id;
  }

  /** Parses a configuration name such as {@code "float32"}. */
  public static Precision fromId(String id) {
    Checks.arg(id != null, "no precision given");
    for (Precision p : values()) {
      if (p.id.equals(id.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown precision '" + id + "', expected one of "
        + Arrays.stream(values()).map(Precision::id).collect(Collectors.joining(", ")));
  }
}
