package dev.sparkprop.bench;

import dev.ludovic.netlib.blas.BLAS;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Init;
import dev.sparkprop.nn.LayerSpec;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.nn.Precision;
import dev.sparkprop.nn.Workspace;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;

/**
 * The hardware's limit for a network: the matrix products of one forward + backward pass over
 * a block (exactly the dgemm calls {@code dev.sparkprop.nn.Network} makes, with the first
 * layer's back-propagated delta skipped), with nothing else: no activations, no loss, no Spark.
 * Each thread streams over its own share of the data set's rows, as a Spark task would.
 */
final class Gemm {
  private final NetworkSpec spec;
  private final int blockSize;
  private final BLAS blas = BLAS.getInstance();

  Gemm(NetworkSpec spec, int blockSize) {
    this.spec = spec;
    this.blockSize = blockSize;
  }

  /** Product kinds of one layer, named after what they compute. */
  enum Kind { FORWARD, DELTA, WEIGHT_GRADIENT }

  /** Floating-point operations of the products per data row (2 per multiply-add). */
  long flopsPerRow() {
    long f = 0;
    for (int l = 0; l < spec.numLayers(); l++) {
      long w = (long) spec.layer(l).inputs() * spec.layer(l).outputs();
      f += 2 * w * (l == 0 ? 2 : 3);
    }
    return f;
  }

  /** Sum of the layers' weight counts (biases excluded). */
  long weights() {
    long w = 0;
    for (LayerSpec l : spec.layers()) {
      w += (long) l.inputs() * l.outputs();
    }
    return w;
  }

  /**
   * Single-thread GFLOP/s of one product kind, summed over the layers (each shape repeated
   * until {@code minSeconds} have passed, operands hot in cache).
   */
  double kindGflops(Kind kind, double minSeconds) {
    double flops = 0;
    double seconds = 0;
    Random r = new Random(7);
    int b = blockSize;
    for (int l = 0; l < spec.numLayers(); l++) {
      if (kind == Kind.DELTA && l == 0) {
        continue;
      }
      int in = spec.layer(l).inputs();
      int out = spec.layer(l).outputs();
      double[] w = fill(new double[in * out], r);
      double[] a = fill(new double[in * b], r);
      double[] d = fill(new double[out * b], r);
      double[] c = new double[Math.max(in, out) * Math.max(b, out)];
      Runnable call = switch (kind) {
        case FORWARD -> () -> blas.dgemm("T", "N", out, b, in, 1.0, w, 0, in, a, 0, in, 0.0, c, 0,
            out);
        case DELTA -> () -> blas.dgemm("N", "N", in, b, out, 1.0, w, 0, in, d, 0, out, 0.0, c, 0,
            in);
        case WEIGHT_GRADIENT -> () -> blas.dgemm("N", "T", in, out, b, 1.0, a, 0, in, d, 0, out,
            1.0, c, 0, in);
      };
      for (int i = 0; i < 3; i++) {
        call.run();
      }
      long calls = 0;
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      long cpu = mx.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      long end = start + (long) (minSeconds * 1e9 / spec.numLayers());
      do {
        call.run();
        calls++;
      } while (System.nanoTime() < end);
      seconds += (mx.getCurrentThreadCpuTime() - cpu) / 1e9; // CPU time: robust to other load
      flops += 2.0 * in * out * b * calls;
    }
    return flops / seconds / 1e9;
  }

  /**
   * Rows per second of the products alone over {@code rowsPerThread} rows per thread, with
   * {@code threads} threads at once; one sample per pass after one warm-up pass.
   */
  List<Double> rowsPerSecond(int threads, long rowsPerThread, int passes, boolean single)
      throws Exception {
    List<Worker> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(new ProductsWorker(rowsPerThread, t, single));
    }
    return time(workers, passes);
  }

  /**
   * Rows per second of sparkprop's whole kernel ({@code Network.lossAndGradient}: products,
   * activations, loss) on blocks in memory, without Spark: what a task could reach.
   */
  List<Double> kernelRowsPerSecond(int threads, long rowsPerThread, int passes,
      Precision precision) throws Exception {
    List<Worker> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(new KernelWorker(rowsPerThread, t, precision));
    }
    return time(workers, passes);
  }

  private List<Double> time(List<Worker> workers, int passes) throws Exception {
    int threads = workers.size();
    List<Double> samples = new ArrayList<>();
    CyclicBarrier barrier = new CyclicBarrier(threads + 1);
    long[] rowsDone = new long[threads];
    long[] cpuNanos = new long[threads];
    List<Thread> running = new ArrayList<>();
    Exception[] failure = new Exception[1];
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int t = 0; t < threads; t++) {
      final int id = t;
      Thread th = new Thread(() -> {
        try {
          for (int p = 0; p <= passes; p++) {
            barrier.await();
            long c = mx.getCurrentThreadCpuTime();
            rowsDone[id] = workers.get(id).pass();
            cpuNanos[id] = mx.getCurrentThreadCpuTime() - c;
            barrier.await();
          }
        } catch (Exception e) {
          failure[0] = e;
          barrier.reset();
        }
      }, "gemm-" + t);
      th.setDaemon(true);
      th.start();
      running.add(th);
    }
    for (int p = 0; p <= passes; p++) {
      barrier.await();
      long start = System.nanoTime();
      barrier.await();
      double wall = (System.nanoTime() - start) / 1e9;
      long rows = 0;
      long slowest = 0;
      for (int t = 0; t < threads; t++) {
        rows += rowsDone[t];
        slowest = Math.max(slowest, cpuNanos[t]);
      }
      if (p > 0) {
        // By CPU time: what the threads reach when each has its core (other load on a shared
        // machine inflates wall time but hardly CPU time); wall time when CPU time is unknown.
        samples.add(rows / (slowest > 0 ? slowest / 1e9 : wall));
      }
    }
    for (Thread th : running) {
      th.join();
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    return samples;
  }

  private interface Worker {
    /** One pass of forward + backward products over this worker's blocks; returns rows. */
    long pass();
  }

  /** sparkprop's Network on blocks of random rows with class labels. */
  private final class KernelWorker implements Worker {
    final List<Block> blocks = new ArrayList<>();
    final Network network = new Network(spec);
    final Workspace workspace = new Workspace(spec, blockSize);
    final double[] params;
    final double[] gradient;

    KernelWorker(long totalRows, int seed, Precision precision) {
      Random r = new Random(seed);
      int f = spec.inputSize();
      for (long done = 0; done < totalRows; done += blockSize) {
        int n = (int) Math.min(blockSize, totalRows - done);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
          y[i] = r.nextInt(spec.outputSize());
        }
        blocks.add(new Block(n, f, fill(new double[n * f], r), 1, y).to(precision));
      }
      params = Init.AUTO.initialize(spec, seed);
      gradient = new double[spec.numParams()];
    }

    @Override
    public long pass() {
      long total = 0;
      for (Block b : blocks) {
        network.lossAndGradient(params, b, workspace, gradient);
        total += b.rows;
      }
      return total;
    }
  }

  /**
   * The products alone: dgemm as Network does, or sgemm ({@code single}), the ceiling of the
   * float32 option. Arrays are {@code double[]} or {@code float[]} by precision; {@link #gemm}
   * picks the routine.
   */
  private final class ProductsWorker implements Worker {
    final boolean single;
    final List<Object> inputs = new ArrayList<>();
    final List<Integer> rows = new ArrayList<>();
    final Object params;
    final Object gradient;
    final Object[] act;
    final Object d1;
    final Object d2;

    ProductsWorker(long totalRows, int seed, boolean single) {
      this.single = single;
      Random r = new Random(seed);
      int f = spec.inputSize();
      for (long done = 0; done < totalRows; done += blockSize) {
        int n = (int) Math.min(blockSize, totalRows - done);
        inputs.add(filled(n * f, r));
        rows.add(n);
      }
      params = filled(spec.numParams(), r);
      gradient = single ? new float[spec.numParams()] : new double[spec.numParams()];
      act = new Object[spec.numLayers()];
      for (int l = 0; l < spec.numLayers(); l++) {
        act[l] = filled(spec.layer(l).outputs() * blockSize, r);
      }
      d1 = filled(spec.widestOutput() * blockSize, r);
      d2 = filled(spec.widestOutput() * blockSize, r);
    }

    private Object filled(int n, Random r) {
      return single ? fill(new float[n], r) : fill(new double[n], r);
    }

    @Override
    public long pass() {
      long total = 0;
      int last = spec.numLayers() - 1;
      for (int k = 0; k < inputs.size(); k++) {
        int b = rows.get(k);
        Object x = inputs.get(k);
        for (int l = 0; l <= last; l++) {
          int in = spec.layer(l).inputs();
          int out = spec.layer(l).outputs();
          gemm("T", "N", out, b, in, params, spec.weightOffset(l), in,
              l == 0 ? x : act[l - 1], in, 0.0, act[l], 0, out);
        }
        Object delta = d1;
        Object other = d2;
        for (int l = last; l >= 0; l--) {
          int in = spec.layer(l).inputs();
          int out = spec.layer(l).outputs();
          gemm("N", "T", in, out, b, l == 0 ? x : act[l - 1], 0, in, delta, out, 1.0, gradient,
              spec.weightOffset(l), in);
          if (l > 0) {
            gemm("N", "N", in, b, out, params, spec.weightOffset(l), in, delta, out, 0.0, other,
                0, in);
            Object t = delta;
            delta = other;
            other = t;
          }
        }
        total += b;
      }
      return total;
    }

    /** C = A B + beta C (operands as transposed), in the worker's precision; B at offset 0. */
    private void gemm(String ta, String tb, int m, int n, int k, Object a, int aOff, int lda,
        Object b, int ldb, double beta, Object c, int cOff, int ldc) {
      if (single) {
        blas.sgemm(ta, tb, m, n, k, 1.0f, (float[]) a, aOff, lda, (float[]) b, 0, ldb,
            (float) beta, (float[]) c, cOff, ldc);
      } else {
        blas.dgemm(ta, tb, m, n, k, 1.0, (double[]) a, aOff, lda, (double[]) b, 0, ldb, beta,
            (double[]) c, cOff, ldc);
      }
    }
  }

  private static double[] fill(double[] a, Random r) {
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextDouble() * 0.1;
    }
    return a;
  }

  private static float[] fill(float[] a, Random r) {
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextFloat() * 0.1f;
    }
    return a;
  }
}
