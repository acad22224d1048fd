package dev.sparkprop.nn;

import java.io.Serializable;
import java.util.Objects;

/** One dense layer: {@code h = activation(W x + b)} with W of shape [outputs, inputs]. */
public record LayerSpec(int inputs, int outputs, Activation activation) implements Serializable {
  public LayerSpec {
    Checks.arg(inputs > 0, "layer input size must be > 0, got %s", inputs);
    Checks.arg(outputs > 0, "layer size must be > 0, got %s", outputs);
    Objects.requireNonNull(activation, "activation");
  }

  /** Number of parameters: weights then biases. */
  public int numParams() {
    return inputs * outputs + outputs;
  }
}
