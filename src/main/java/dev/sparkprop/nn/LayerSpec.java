package dev.sparkprop.nn;

import java.io.Serializable;
import java.util.Objects;

/** One dense layer: {@code h = activation(W x + b)} with W of shape [outputs, inputs]. */
public record LayerSpec(int inputs, int outputs, Activation activation) implements Serializable {
  public LayerSpec {
    Checks.arg(inputs > 0, "layer input size must be > 0, got %s", inputs);
    Checks.arg(outputs > 0, "layer size must be > 0, got %s", outputs);
    Objects.requireNonNull(activation, "activation");
    long params = (long) inputs * outputs + outputs; // fields are not set yet in here
    Checks.arg(params <= Integer.MAX_VALUE - 8,
        "layer %s -> %s has %s parameters, more than one Java array can hold", inputs, outputs,
        params);
  }

  /** Number of parameters: weights then biases (a long: wide layers overflow an int). */
  public long numParamsLong() {
    return (long) inputs * outputs + outputs;
  }

  /** Number of parameters: weights then biases; only valid inside a checked {@link NetworkSpec}. */
  public int numParams() {
    return Math.toIntExact(numParamsLong());
  }
}
