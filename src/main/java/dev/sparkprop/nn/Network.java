package dev.sparkprop.nn;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Forward and backward passes of a {@link NetworkSpec} over a whole {@link Block}, with BLAS
 * level-3 products through {@code dev.ludovic.netlib.blas.BLAS} (native OpenBLAS when present)
 * and all buffers from a reused {@link Workspace}. Stateless apart from the spec: one instance
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
    int last = spec.numLayers() - 1;
    forwardHidden(params, block, ws, last);
    double[] z = linear(params, last, input(block, ws, last), block.rows, ws.activations[last]);
    spec.layer(last).activation().apply(z, spec.outputSize(), block.rows);
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
    final int last = spec.numLayers() - 1;
    final LayerSpec out = spec.layer(last);
    forwardHidden(params, block, ws, last);
    double[] z = linear(params, last, input(block, ws, last), rows, ws.activations[last]);
    double[] delta = gradientSum == null ? null : ws.deltaA;
    double lossSum = spec.loss().outputLossAndDelta(out.activation(), z, out.outputs(), rows,
        block.y, block.targetWidth, delta);
    if (gradientSum == null) {
      return lossSum;
    }
    // Backward. delta holds D_l (out_l x rows); other holds D_{l-1} once computed.
    double[] other = ws.deltaB;
    for (int l = last; l >= 0; l--) {
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
    return lossSum;
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
    LayerSpec layer = spec.layer(l);
    int in = layer.inputs();
    int o = layer.outputs();
    int bOff = biasOffsets[l];
    for (int c = 0; c < rows; c++) {
      System.arraycopy(params, bOff, z, c * o, o);
    }
    blas.dgemm("T", "N", o, rows, in, 1.0, params, weightOffsets[l], in, a, 0, in, 1.0, z, 0, o);
    return z;
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
