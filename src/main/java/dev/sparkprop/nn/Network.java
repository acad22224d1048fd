package dev.sparkprop.nn;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Forward and backward passes of a {@link NetworkSpec} over a whole {@link Block}, with BLAS
 * level-3 products through {@code dev.ludovic.netlib.blas.BLAS} (native OpenBLAS when present)
 * and all buffers from a reused {@link Workspace}. A float32 block ({@link Precision}) runs its
 * products in float (sgemm) with the parameters narrowed per call; the loss, the output
 * layer's delta and the gradient sum stay double. Stateless apart from the spec: one instance
 * can serve many threads, each with its own workspace.
 *
 * <p>Notation for layer l with B rows in the block: {@code A_{l-1}} (in_l x B) is its input,
 * {@code Z_l = W_l A_{l-1} + b_l 1^T}, {@code A_l = f_l(Z_l)}; {@code D_l = dLoss/dZ_l}.
 */
public final class Network {
  private final NetworkSpec spec;
  private final BLAS blas;
  private final int[] weightOffsets;
  private final int[] biasOffsets;

  public Network(NetworkSpec spec) {
    this(spec, BLAS.getInstance());
  }

  public Network(NetworkSpec spec, BLAS blas) {
    this.spec = spec;
    this.blas = blas;
    int layers = spec.numLayers();
    this.weightOffsets = new int[layers];
    this.biasOffsets = new int[layers];
    for (int l = 0; l < layers; l++) {
      weightOffsets[l] = spec.weightOffset(l);
      biasOffsets[l] = spec.biasOffset(l);
    }
  }

  public NetworkSpec spec() {
    return spec;
  }

  /** The name of the BLAS implementation in use, e.g. {@code JNIBLAS} for native OpenBLAS. */
  public String blasName() {
    return blas.getClass().getSimpleName();
  }

  /**
   * Outputs of the network for the block's rows: returns the workspace's output buffer
   * ({@code outputs x rows} column-major, valid until the workspace is used again). Softmax
   * outputs are class probabilities.
   */
  public double[] forward(double[] params, Block block, Workspace ws) {
    checkShapes(params, block);
    Checks.arg(block.rows > 0, "block has no rows");
    ws.ensure(block.rows);
    double[] z = outputPreActivations(params, block, ws);
    spec.layer(spec.numLayers() - 1).activation().apply(z, spec.outputSize(), block.rows);
    return z;
  }

  /**
   * Sum over the block's rows of the loss, without gradient (validation, evaluation). Leaves the
   * block's outputs in {@link #outputs(Workspace)}.
   */
  public double loss(double[] params, Block block, Workspace ws) {
    return run(params, block, ws, null);
  }

  /**
   * The output buffer ({@code outputs x rows}, column-major) left by the last {@link #forward},
   * {@link #loss} or {@link #lossAndGradient} call on {@code ws}.
   */
  public double[] outputs(Workspace ws) {
    return ws.activations[spec.numLayers() - 1];
  }

  /**
   * Adds the block's gradient SUM (over its rows) to {@code gradientSum} and returns the block's
   * loss sum. Dividing both accumulated sums by the total row count gives the per-row mean.
   */
  public double lossAndGradient(double[] params, Block block, Workspace ws, double[] gradientSum) {
    Checks.arg(gradientSum.length == params.length,
        "gradient has %s values, parameters %s", gradientSum.length, params.length);
    return run(params, block, ws, gradientSum);
  }

  private double run(double[] params, Block block, Workspace ws, double[] gradientSum) {
    checkShapes(params, block);
    Checks.arg(block.targetWidth > 0, "block has no targets");
    final int rows = block.rows;
    Checks.arg(rows > 0, "block has no rows");
    ws.ensure(rows);
    final LayerSpec out = spec.layer(spec.numLayers() - 1);
    double[] z = outputPreActivations(params, block, ws);
    double[] delta = gradientSum == null ? null : ws.deltaA;
    double lossSum = spec.loss().outputLossAndDelta(out.activation(), z, out.outputs(), rows,
        block.y, block.targetWidth, delta);
    if (gradientSum != null) {
      if (block.xFloat == null) {
        backward(params, block, ws, gradientSum);
      } else {
        backwardFloat(block, ws, gradientSum);
      }
    }
    return lossSum;
  }

  /**
   * Forward through the hidden layers and the output layer's linear part; returns Z_last
   * (double, in {@code ws.activations[last]}). A float32 block runs in float up to there and
   * only Z_last is widened, so the output activation and the loss are the float64 code.
   */
  private double[] outputPreActivations(double[] params, Block block, Workspace ws) {
    final int last = spec.numLayers() - 1;
    final int rows = block.rows;
    if (block.xFloat == null) {
      forwardHidden(params, block, ws, last);
      return linear(params, last, input(block, ws, last), rows, ws.activations[last]);
    }
    Workspace.Floats f = ws.floats();
    for (int i = 0; i < params.length; i++) {
      f.params[i] = (float) params[i];
    }
    for (int l = 0; l <= last; l++) {
      float[] z = linear(f.params, l, l == 0 ? block.xFloat : f.activations[l - 1], rows,
          f.activations[l]);
      if (l < last) {
        spec.layer(l).activation().apply(z, spec.layer(l).outputs(), rows);
      }
    }
    double[] z = ws.activations[last];
    float[] zFloat = f.activations[last];
    for (int i = 0, n = spec.outputSize() * rows; i < n; i++) {
      z[i] = zFloat[i];
    }
    return z;
  }

  /** Adds the block's gradient to {@code gradientSum}, from D_last in {@code ws.deltaA}. */
  private void backward(double[] params, Block block, Workspace ws, double[] gradientSum) {
    final int rows = block.rows;
    // delta holds D_l (out_l x rows); other holds D_{l-1} once computed.
    double[] delta = ws.deltaA;
    double[] other = ws.deltaB;
    for (int l = spec.numLayers() - 1; l >= 0; l--) {
      LayerSpec layer = spec.layer(l);
      int in = layer.inputs();
      int o = layer.outputs();
      double[] a = input(block, ws, l);
      // dW_l (stored as column-major in x out) += A_{l-1} D_l^T
      blas.dgemm("N", "T", in, o, rows, 1.0, a, 0, in, delta, 0, o, 1.0,
          gradientSum, weightOffsets[l], in);
      // db_l += D_l 1
      blas.dgemv("N", o, rows, 1.0, delta, 0, o, ws.ones, 0, 1, 1.0, gradientSum, biasOffsets[l], 1);
      if (l > 0) {
        // D_{l-1} = (W_l^T D_l) .* f'_{l-1}(A_{l-1}); not needed below the first layer.
        blas.dgemm("N", "N", in, rows, o, 1.0, params, weightOffsets[l], in, delta, 0, o, 0.0,
            other, 0, in);
        spec.layer(l - 1).activation().multiplyByDerivative(other, a, in * rows);
        double[] t = delta;
        delta = other;
        other = t;
      }
    }
  }

  /**
   * {@link #backward} of a float32 block with sgemm: D_last is narrowed to float, the block's
   * gradient is formed in float (each product sums over at most the block's rows) and then
   * added to the double {@code gradientSum}, so sums over blocks and partitions stay double.
   */
  private void backwardFloat(Block block, Workspace ws, double[] gradientSum) {
    final int rows = block.rows;
    Workspace.Floats f = ws.floats();
    float[] delta = f.deltaA;
    float[] other = f.deltaB;
    float[] g = f.gradient;
    double[] outputDelta = ws.deltaA;
    for (int i = 0, n = spec.outputSize() * rows; i < n; i++) {
      delta[i] = (float) outputDelta[i];
    }
    for (int l = spec.numLayers() - 1; l >= 0; l--) {
      LayerSpec layer = spec.layer(l);
      int in = layer.inputs();
      int o = layer.outputs();
      float[] a = l == 0 ? block.xFloat : f.activations[l - 1];
      // Every weight and bias of g is overwritten (beta 0): g is this block's gradient alone.
      blas.sgemm("N", "T", in, o, rows, 1.0f, a, 0, in, delta, 0, o, 0.0f, g, weightOffsets[l], in);
      blas.sgemv("N", o, rows, 1.0f, delta, 0, o, f.ones, 0, 1, 0.0f, g, biasOffsets[l], 1);
      if (l > 0) {
        blas.sgemm("N", "N", in, rows, o, 1.0f, f.params, weightOffsets[l], in, delta, 0, o, 0.0f,
            other, 0, in);
        spec.layer(l - 1).activation().multiplyByDerivative(other, a, in * rows);
        float[] t = delta;
        delta = other;
        other = t;
      }
    }
    for (int i = 0; i < g.length; i++) {
      gradientSum[i] += g[i];
    }
  }

  /** Computes A_l = f_l(Z_l) for l in [0, upTo) into the workspace. */
  private void forwardHidden(double[] params, Block block, Workspace ws, int upTo) {
    for (int l = 0; l < upTo; l++) {
      double[] z = linear(params, l, input(block, ws, l), block.rows, ws.activations[l]);
      spec.layer(l).activation().apply(z, spec.layer(l).outputs(), block.rows);
    }
  }

  /** Overwrites {@code z} with Z_l = W_l A + b_l 1^T (out_l x rows) and returns it. */
  private double[] linear(double[] params, int l, double[] a, int rows, double[] z) {
    int in = spec.layer(l).inputs();
    int o = spec.layer(l).outputs();
    fillBias(params, l, z, rows);
    blas.dgemm("T", "N", o, rows, in, 1.0, params, weightOffsets[l], in, a, 0, in, 1.0, z, 0, o);
    return z;
  }

  /** {@link #linear(double[], int, double[], int, double[])} in float with sgemm. */
  private float[] linear(float[] params, int l, float[] a, int rows, float[] z) {
    int in = spec.layer(l).inputs();
    int o = spec.layer(l).outputs();
    fillBias(params, l, z, rows);
    blas.sgemm("T", "N", o, rows, in, 1.0f, params, weightOffsets[l], in, a, 0, in, 1.0f, z, 0, o);
    return z;
  }

  /** Copies b_l into each of the first {@code rows} columns of z (both double[] or float[]). */
  private void fillBias(Object params, int l, Object z, int rows) {
    int o = spec.layer(l).outputs();
    for (int c = 0; c < rows; c++) {
      System.arraycopy(params, biasOffsets[l], z, c * o, o);
    }
  }

  /** A_{l-1}: the block's features for the first layer, else the previous layer's outputs. */
  private static double[] input(Block block, Workspace ws, int l) {
    return l == 0 ? block.x : ws.activations[l - 1];
  }

  private void checkShapes(double[] params, Block block) {
    Checks.arg(params.length == spec.numParams(),
        "parameter vector has %s values, the network needs %s", params.length, spec.numParams());
    Checks.arg(block.features == spec.inputSize(),
        "data has %s features but the network's input layer has %s", block.features,
        spec.inputSize());
    if (block.targetWidth > 0) {
      int outputs = spec.outputSize();
      Checks.arg(block.targetWidth == outputs || spec.loss().usesClassIndex(block.targetWidth, outputs),
          "data has %s target value(s) per row but the network has %s outputs",
          block.targetWidth, outputs);
    }
  }
}
