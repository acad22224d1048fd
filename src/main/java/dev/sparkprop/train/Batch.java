package dev.sparkprop.train;

import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Checks;
import java.io.Serializable;

/**
 * One mini-batch of an epoch: the rows whose seeded hash puts them in batch {@code index} of
 * {@code count}. A row's batch depends only on the epoch's seed and the row's stable id (its
 * position in the input), never on how rows are partitioned or stacked, so every row is in
 * exactly one batch per epoch and the same seed gives the same batches on any cluster.
 * Membership is a hash, so batch sizes vary around {@code rows / count} (binomially: a batch
 * of 128 rows on average holds 128 ± 11); a step's gradient is the mean over the rows its batch
 * actually holds.
 *
 * @param seed the epoch's seed, {@link #epochSeed}
 * @param index this batch, in {@code [0, count)}
 * @param count batches in the epoch
 */
public record Batch(long seed, int index, int count) implements Serializable {
  public Batch {
    Checks.arg(count >= 1 && index >= 0 && index < count, "bad batch %s of %s", index, count);
  }

  /** The batch seed of a 1-based epoch of a run seeded with {@code seed}. */
  public static long epochSeed(long seed, int epoch) {
    return mix(mix(seed ^ 0x3C6EF372FE94F82BL) + epoch * 0x9E3779B97F4A7C15L);
  }

  /** The batch, in {@code [0, count)}, of row {@code rowId} in an epoch seeded {@code seed}. */
  public static int indexOf(long seed, long rowId, int count) {
    long h = mix(seed + mix(rowId + 0x632BE59BD9B4E019L));
    return (int) (((h >>> 11) * 0x1.0p-53) * count);
  }

  /** Batches of about {@code batchSize} rows that cover {@code rows} rows. */
  public static int count(long rows, int batchSize) {
    Checks.arg(batchSize >= 1, "batch size must be >= 1, got %s", batchSize);
    long n = (rows + batchSize - 1) / batchSize;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, n));
  }

  public boolean contains(long rowId) {
    return count == 1 || indexOf(seed, rowId, count) == index;
  }

  /**
   * The rows of {@code block} in this batch: {@code block} itself when all of them are, null
   * when none is, else a block viewing {@code scratch}'s buffers (valid until the next call with
   * the same scratch).
   *
   * @throws IllegalArgumentException if the block has no row ids
   */
  public Block select(Block block, Scratch scratch) {
    if (count == 1) {
      return block.rows == 0 ? null : block;
    }
    long[] ids = block.rowIds;
    Checks.arg(ids != null, "mini-batches need row ids in every block (see Block.rowIds)");
    int f = block.features;
    int t = block.targetWidth;
    boolean single = block.xFloat != null;
    scratch.ensure(block.rows, f, t, single);
    int n = 0;
    for (int r = 0; r < block.rows; r++) {
      if (indexOf(seed, ids[r], count) == index) {
        if (single) {
          System.arraycopy(block.xFloat, r * f, scratch.xFloat, n * f, f);
        } else {
          System.arraycopy(block.x, r * f, scratch.x, n * f, f);
        }
        if (t > 0) {
          System.arraycopy(block.y, r * t, scratch.y, n * t, t);
        }
        n++;
      }
    }
    if (n == 0) {
      return null;
    }
    if (n == block.rows) {
      return block;
    }
    double[] y = t > 0 ? scratch.y : null;
    return single ? new Block(n, f, scratch.xFloat, t, y, null)
        : new Block(n, f, scratch.x, t, y, null);
  }

  /** Reusable buffers for {@link #select}: one per task or thread. */
  public static final class Scratch {
    double[] x = new double[0];
    float[] xFloat = new float[0];
    double[] y = new double[0];

    void ensure(int rows, int features, int targets, boolean single) {
      if (single && xFloat.length < rows * features) {
        xFloat = new float[rows * features];
      }
      if (!single && x.length < rows * features) {
        x = new double[rows * features];
      }
      if (y.length < rows * targets) {
        y = new double[rows * targets];
      }
    }
  }

  /** SplitMix64's finaliser (Steele, Lea &amp; Flood 2014). */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
