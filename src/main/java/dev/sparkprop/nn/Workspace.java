package dev.sparkprop.nn;

import java.util.Arrays;

/**
 * Buffers for {@link Network}: each layer's activations, two delta buffers and a vector of
 * ones, sized for a block of up to {@link #capacity()} rows. Reused for every block; grows only
 * when a larger block comes. Not thread-safe: one per thread ({@link #forThread}).
 */
public final class Workspace {
  private static final ThreadLocal<Workspace> PER_THREAD = new ThreadLocal<>();

  private final NetworkSpec spec;
  private int capacity;
  /** activations[l]: outputs of layer l, {@code out_l x capacity} column-major. */
  final double[][] activations;
  /**
   * Two buffers of {@code widest layer output x capacity}: the delta of a layer and of the one
   * below. The input width does not count: no delta is formed below the first layer.
   */
  double[] deltaA;
  double[] deltaB;
  /** {@code capacity} ones, to sum delta columns into bias gradients with one dgemv. */
  double[] ones;
  /** The float32 path's buffers, allocated at its first block (null until then). */
  Floats floats;

  /**
   * Buffers of the float32 path: hidden activations and deltas in float (the output layer's
   * are the double {@code activations[last]} and {@code deltaA}), the parameters narrowed to
   * float, and one block's float gradient before it is added to the double sum.
   */
  static final class Floats {
    final float[][] activations;
    final float[] deltaA;
    final float[] deltaB;
    final float[] ones;
    final float[] params;
    final float[] gradient;

    Floats(NetworkSpec spec, int rows) {
      activations = new float[spec.numLayers()][];
      for (int l = 0; l < spec.numLayers(); l++) {
        activations[l] = new float[spec.layer(l).outputs() * rows];
      }
      deltaA = new float[spec.widestOutput() * rows];
      deltaB = new float[spec.widestOutput() * rows];
      ones = new float[rows];
      Arrays.fill(ones, 1.0f);
      params = new float[spec.numParams()];
      gradient = new float[spec.numParams()];
    }
  }

  /** The float32 buffers for the current capacity. */
  Floats floats() {
    if (floats == null || floats.ones.length < capacity) {
      floats = new Floats(spec, capacity);
    }
    return floats;
  }

  public Workspace(NetworkSpec spec, int initialRows) {
    this.spec = spec;
    this.activations = new double[spec.numLayers()][];
    allocate(Math.max(1, initialRows));
  }

  /**
   * This thread's workspace for {@code spec}, holding at least {@code rows} rows. A Spark
   * executor runs every epoch's tasks on the same pooled threads, so the buffers are allocated
   * once per thread instead of once per task and epoch. Each thread keeps one workspace, for the
   * last network it served (a workspace for another network replaces it). The caller must be
   * done with it before anything on the same thread asks again.
   */
  public static Workspace forThread(NetworkSpec spec, int rows) {
    Workspace ws = PER_THREAD.get();
    if (ws == null || !ws.spec.equals(spec)) {
      ws = new Workspace(spec, rows);
      PER_THREAD.set(ws);
    }
    ws.ensure(rows);
    return ws;
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
    int width = spec.widestOutput();
    deltaA = new double[width * rows];
    deltaB = new double[width * rows];
    ones = new double[rows];
    Arrays.fill(ones, 1.0);
  }
}
