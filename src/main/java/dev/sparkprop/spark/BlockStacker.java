package dev.sparkprop.spark;

import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Checks;
import dev.sparkprop.nn.Precision;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;

/**
 * Turns a {@link DataScan}'s cached rows into dense {@link Block}s, once, for one split: rows
 * are selected by their global index, standardised with given statistics, and stacked
 * {@code blockSize} at a time. Also computes those statistics in one pass over the same rows.
 */
public final class BlockStacker {
  private BlockStacker() {}

  /** Which rows go where: the seed and the held-out fractions. */
  public record SplitSpec(long seed, double validationFraction, double testFraction)
      implements Serializable {
    public SplitSpec {
      Checks.arg(validationFraction >= 0 && testFraction >= 0
              && validationFraction + testFraction < 1,
          "validation and test fractions must be >= 0 and add up to less than 1, got %s and %s",
          validationFraction, testFraction);
    }

    Split of(long index) {
      return Split.of(seed, index, validationFraction, testFraction);
    }
  }

  /** Standardisation statistics; arrays are null where that part is not scaled. */
  public record Stats(double[] featureMean, double[] featureStd, double[] labelMean,
      double[] labelStd, long rows) implements Serializable {}

  /** Running mean and sum of squared deviations (Welford), mergeable (Chan et al.). */
  private static final class Moments implements Serializable {
    private static final long serialVersionUID = 1L;
    long n;
    final double[] mean;
    final double[] m2;

    Moments(int width) {
      mean = new double[width];
      m2 = new double[width];
    }

    void add(double[] v) {
      n++;
      for (int i = 0; i < mean.length; i++) {
        double d = v[i] - mean[i];
        mean[i] += d / n;
        m2[i] += d * (v[i] - mean[i]);
      }
    }

    Moments merge(Moments o) {
      if (o.n == 0) {
        return this;
      }
      if (n == 0) {
        return o;
      }
      long total = n + o.n;
      for (int i = 0; i < mean.length; i++) {
        double d = o.mean[i] - mean[i];
        mean[i] += d * o.n / total;
        m2[i] += o.m2[i] + d * d * ((double) n * o.n / total);
      }
      n = total;
      return this;
    }

    /** Population standard deviation; a constant column gets 1 so it passes through centred. */
    double[] std() {
      double[] s = new double[mean.length];
      for (int i = 0; i < s.length; i++) {
        double sd = Math.sqrt(m2[i] / n);
        s[i] = sd > 1e-12 * Math.max(1.0, Math.abs(mean[i])) ? sd : 1.0;
      }
      return s;
    }
  }

  /**
   * Mean and standard deviation of the features (if {@code features}) and label (if
   * {@code label}) over the rows of split {@code which}, in one pass over the scan's cached rows.
   */
  public static Stats stats(DataScan scan, SplitSpec split, Split which, boolean features,
      boolean label) {
    final int fw = scan.featureWidth;
    final int lw = scan.labelWidth;
    final long[] offsets = scan.offsets();
    final boolean withLabel = label && lw > 0;
    List<Moments[]> parts = scan.chunks().mapPartitionsWithIndex((p, it) -> {
      Moments fm = new Moments(fw);
      Moments lm = new Moments(Math.max(lw, 1));
      double[] x = new double[fw];
      double[] y = new double[Math.max(lw, 1)];
      long index = offsets[p];
      while (it.hasNext()) {
        DataScan.Chunk c = it.next();
        for (int r = 0; r < c.rows; r++) {
          if (split.of(index++) == which) {
            System.arraycopy(c.x, r * fw, x, 0, fw);
            fm.add(x);
            if (withLabel) {
              System.arraycopy(c.y, r * lw, y, 0, lw);
              lm.add(y);
            }
          }
        }
      }
      return Collections.singletonList(new Moments[] {fm, lm}).iterator();
    }, true).collect();
    Moments f = new Moments(fw);
    Moments l = new Moments(Math.max(lw, 1));
    for (Moments[] m : parts) {
      f = f.merge(m[0]);
      l = l.merge(m[1]);
    }
    if (f.n == 0) {
      throw new IllegalArgumentException("no rows left for " + which.name().toLowerCase()
          + " after the split; lower the validation/test fractions or use more data");
    }
    return new Stats(features ? f.mean.clone() : null, features ? f.std() : null,
        withLabel ? l.mean.clone() : null, withLabel ? l.std() : null, f.n);
  }

  /**
   * The rows of split {@code which} as blocks of up to {@code blockSize} rows, each row with
   * its global index as its id (for mini-batches), from the scan's cached rows (the input is
   * not read again). Features are standardised with {@code stats} where it has feature
   * statistics, labels likewise. With {@code oneHotClasses > 0} a class label becomes a one-hot
   * row of that width (for losses other than cross-entropy); otherwise a class is stored as its
   * index (target width 1). With {@link Precision#FLOAT32} the standardised features are
   * stored as floats, without a double block in between.
   */
  public static JavaRDD<Block> stack(DataScan scan, SplitSpec split, Split which, Stats stats,
      int blockSize, int oneHotClasses, Precision precision) {
    Checks.arg(blockSize >= 1, "block size must be >= 1, got %s", blockSize);
    final int fw = scan.featureWidth;
    final int lw = scan.labelWidth;
    final int tw = oneHotClasses > 0 ? oneHotClasses : lw;
    final long[] offsets = scan.offsets();
    final Standardizer features = stats == null ? null
        : Standardizer.of(stats.featureMean(), stats.featureStd());
    final Standardizer labels = stats == null ? null
        : Standardizer.of(stats.labelMean(), stats.labelStd());
    final boolean single = precision == Precision.FLOAT32;
    return scan.chunks().mapPartitionsWithIndex((p, chunks) -> new Iterator<Block>() {
      long index = offsets[p];
      DataScan.Chunk chunk;
      int at; // next row of chunk
      Block next;
      final double[] row = new double[fw];
      final double[] label = new double[Math.max(lw, 1)];

      @Override
      public boolean hasNext() {
        if (next == null) {
          next = fill();
        }
        return next != null;
      }

      @Override
      public Block next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Block b = next;
        next = null;
        return b;
      }

      private Block fill() {
        double[] x = single ? null : new double[blockSize * fw];
        float[] xf = single ? new float[blockSize * fw] : null;
        double[] y = tw > 0 ? new double[blockSize * tw] : null;
        long[] ids = new long[blockSize];
        int n = 0;
        while (n < blockSize) {
          if (chunk == null || at == chunk.rows) {
            if (!chunks.hasNext()) {
              break;
            }
            chunk = chunks.next();
            at = 0;
          }
          int r = at++;
          if (split.of(index++) != which) {
            continue;
          }
          ids[n] = index - 1;
          int xo = n * fw;
          double[] dst = single ? row : x;
          int off = single ? 0 : xo;
          System.arraycopy(chunk.x, r * fw, dst, off, fw);
          if (features != null) {
            features.apply(dst, off);
          }
          if (single) {
            for (int i = 0; i < fw; i++) {
              xf[xo + i] = (float) row[i];
            }
          }
          if (lw > 0) {
            System.arraycopy(chunk.y, r * lw, label, 0, lw);
            if (oneHotClasses > 0) {
              y[n * tw + (int) label[0]] = 1.0;
            } else {
              if (labels != null) {
                labels.apply(label, 0);
              }
              System.arraycopy(label, 0, y, n * lw, lw);
            }
          }
          n++;
        }
        if (n == 0) {
          return null;
        }
        if (n < blockSize) {
          x = x == null ? null : Arrays.copyOf(x, n * fw);
          xf = xf == null ? null : Arrays.copyOf(xf, n * fw);
          y = y == null ? null : Arrays.copyOf(y, n * tw);
          ids = Arrays.copyOf(ids, n);
        }
        return single ? new Block(n, fw, xf, tw, y, ids) : new Block(n, fw, x, tw, y, ids);
      }
    }, true);
  }

  /** All blocks of an RDD collected to the driver (tests and tiny data). */
  public static List<Block> collect(JavaRDD<Block> blocks) {
    return new ArrayList<>(blocks.collect());
  }
}
