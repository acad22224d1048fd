package dev.sparkprop.nn;

import java.util.Arrays;

/**
 * Per-task buffers for {@link Network}: each layer's activations, two delta buffers and a
 * vector of ones, sized for a block of up to {@link #capacity()} rows. Allocated once per
 * partition (or per thread) and reused for every block; grows only when a larger block comes.
 * Not thread-safe.
 */
public final class Workspace {
  private final NetworkSpec spec;
  private int capacity;
  /** activations[l]: outputs of layer l, {@code out_l x capacity} column-major. */
  final double[][] activations;
  /** Two buffers of {@code maxWidth x capacity}: the delta of a layer and of the one below. */
  double[] deltaA;
  double[] deltaB;
  /** {@code capacity} ones, to sum delta columns into bias gradients with one dgemv. */
  double[] ones;

  public Workspace(NetworkSpec spec, int initialRows) {
    this.spec = spec;
    this.activations = new double[spec.numLayers()][];
    allocate(Math.max(1, initialRows));
  }

  public int capacity() {
    return capacity;
  }

  /** Makes sure a block of {@code rows} fits; reallocates only when it does not. */
  void ensure(int rows) {
    if (rows > capacity) {
      allocate(Math.max(rows, capacity + capacity / 2));
    }
  }

  private void allocate(int rows) {
    capacity = rows;
    for (int l = 0; l < spec.numLayers(); l++) {
      activations[l] = new double[spec.layer(l).outputs() * rows];
    }
    int width = spec.maxWidth();
    deltaA = new double[width * rows];
    deltaB = new double[width * rows];
    ones = new double[rows];
    Arrays.fill(ones, 1.0);
  }
}
