package dev.sparkprop.nn;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An immutable fully connected network: layer sizes {@code [in, h1, ..., out]}, an activation
 * per layer, and a loss.
 *
 * <h2>Parameter layout (the one place it is defined)</h2>
 * All parameters live in ONE flat {@code double[]} of length {@link #numParams()}. Layer
 * {@code l} (0-based, {@code in_l -> out_l}) occupies
 * <pre>
 *   [weightOffset(l), weightOffset(l) + out_l * in_l)   W_l, row-major [out_l, in_l]:
 *                                                       W_l[o][i] at weightOffset(l) + o * in_l + i
 *   [biasOffset(l),   biasOffset(l) + out_l)            b_l[o] at biasOffset(l) + o
 * </pre>
 * with layer l+1 following directly. Row-major [out, in] is PyTorch's {@code nn.Linear} layout
 * and what {@code model.safetensors} stores, so saving is a straight copy. For BLAS the same
 * segment is read as a column-major {@code in_l x out_l} matrix (W transposed) with leading
 * dimension {@code in_l}. Gradients use the identical layout.
 */
public record NetworkSpec(List<LayerSpec> layers, Loss loss) implements Serializable {
  public NetworkSpec {
    Objects.requireNonNull(loss, "loss");
    layers = List.copyOf(Objects.requireNonNull(layers, "layers"));
    Checks.arg(!layers.isEmpty(), "a network needs at least one layer");
    for (int l = 0; l < layers.size(); l++) {
      LayerSpec layer = layers.get(l);
      if (l > 0) {
        Checks.arg(layer.inputs() == layers.get(l - 1).outputs(),
            "layer %s has %s inputs but layer %s has %s outputs",
            l, layer.inputs(), l - 1, layers.get(l - 1).outputs());
      }
      Checks.arg(l == layers.size() - 1 || layer.activation() != Activation.SOFTMAX,
          "softmax is only allowed on the output layer, found on hidden layer %s", l);
    }
    LayerSpec out = layers.get(layers.size() - 1);
    loss.checkOutputActivation(out.activation(), out.outputs());
    long total = 0;
    for (LayerSpec layer : layers) {
      total += layer.numParamsLong();
    }
    Checks.arg(total <= Integer.MAX_VALUE - 8,
        "network has %s parameters, more than one Java array can hold", total);
  }

  /**
   * Builds a network from sizes {@code [in, h1, ..., out]} and one activation per layer
   * ({@code sizes.length - 1} of them).
   */
  public static NetworkSpec of(int[] sizes, List<Activation> activations, Loss loss) {
    Checks.arg(sizes.length >= 2,
        "layer sizes need an input and an output size, got %s value(s)", sizes.length);
    Checks.arg(activations.size() == sizes.length - 1,
        "%s layer sizes make %s layers but %s activations were given",
        sizes.length, sizes.length - 1, activations.size());
    for (int i = 0; i < sizes.length; i++) {
      Checks.arg(sizes[i] > 0, "layer size %s must be > 0, got %s", i, sizes[i]);
    }
    List<LayerSpec> layers = new ArrayList<>();
    for (int l = 0; l + 1 < sizes.length; l++) {
      layers.add(new LayerSpec(sizes[l], sizes[l + 1], activations.get(l)));
    }
    return new NetworkSpec(layers, loss);
  }

  /** Like {@link #of(int[], List, Loss)} with one activation for hidden layers and one for the output. */
  public static NetworkSpec of(int[] sizes, Activation hidden, Activation output, Loss loss) {
    List<Activation> acts = new ArrayList<>();
    for (int l = 0; l + 1 < sizes.length; l++) {
      acts.add(l + 2 == sizes.length ? output : hidden);
    }
    return of(sizes, acts, loss);
  }

  public int numLayers() {
    return layers.size();
  }

  public LayerSpec layer(int l) {
    return layers.get(l);
  }

  public int inputSize() {
    return layers.get(0).inputs();
  }

  public int outputSize() {
    return layers.get(layers.size() - 1).outputs();
  }

  /** Sizes {@code [in, h1, ..., out]}. */
  public int[] sizes() {
    int[] s = new int[layers.size() + 1];
    s[0] = inputSize();
    for (int l = 0; l < layers.size(); l++) {
      s[l + 1] = layers.get(l).outputs();
    }
    return s;
  }

  /** Activation ids, one per layer. */
  public List<String> activationIds() {
    return layers.stream().map(layer -> layer.activation().id()).toList();
  }

  /** Total number of parameters (length of the flat vector). */
  public int numParams() {
    int total = 0;
    for (LayerSpec layer : layers) {
      total += layer.numParams();
    }
    return total;
  }

  /** Offset of layer l's weight matrix in the flat vector. */
  public int weightOffset(int l) {
    int off = 0;
    for (int j = 0; j < l; j++) {
      off += layers.get(j).numParams();
    }
    return off;
  }

  /** Offset of layer l's bias vector in the flat vector. */
  public int biasOffset(int l) {
    LayerSpec layer = layers.get(l);
    return weightOffset(l) + layer.inputs() * layer.outputs();
  }

  /**
   * Largest layer output width: the tallest delta of a backward pass (none is formed for the
   * input, so its width does not count).
   */
  public int widestOutput() {
    int max = 0;
    for (LayerSpec layer : layers) {
      max = Math.max(max, layer.outputs());
    }
    return max;
  }
}
