package dev.sparkprop.train;

import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Checks;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

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
   * The rows of a list of blocks (one partition's) dealt to the batches of one epoch: built
   * once per epoch in O(rows), after which the rows of any batch are one contiguous run of
   * (block, row) pairs, in block order and row order within a block. Steps then cost O(rows of
   * the batch), not O(all rows).
   */
  public static final class Deal {
    private final long seed;
    private final int count;
    private final int[] start;
    private final int[] block;
    private final int[] row;

    private Deal(long seed, int count, int[] start, int[] block, int[] row) {
      this.seed = seed;
      this.count = count;
      this.start = start;
      this.block = block;
      this.row = row;
    }

    /**
     * Deals the rows of {@code blocks} to the {@code count} batches of the epoch seeded
     * {@code seed} (a counting sort by {@link #indexOf}).
     *
     * @throws IllegalArgumentException if a block has no row ids
     */
    public static Deal of(List<Block> blocks, long seed, int count) {
      int n = 0;
      for (Block b : blocks) {
        Checks.arg(b.rowIds != null || count == 1,
            "mini-batches need row ids in every block (see Block.rowIds)");
        n += b.rows;
      }
      int[] batchOf = new int[n];
      int[] start = new int[count + 1];
      int k = 0;
      for (Block b : blocks) {
        for (int r = 0; r < b.rows; r++) {
          int i = count == 1 ? 0 : indexOf(seed, b.rowIds[r], count);
          batchOf[k++] = i;
          start[i + 1]++;
        }
      }
      for (int i = 0; i < count; i++) {
        start[i + 1] += start[i];
      }
      int[] next = Arrays.copyOf(start, count);
      int[] block = new int[n];
      int[] row = new int[n];
      k = 0;
      for (int bi = 0; bi < blocks.size(); bi++) {
        for (int r = 0, rows = blocks.get(bi).rows; r < rows; r++) {
          int at = next[batchOf[k++]]++;
          block[at] = bi;
          row[at] = r;
        }
      }
      return new Deal(seed, count, start, block, row);
    }

    /** Whether this deal is of the epoch seeded {@code seed} with {@code count} batches. */
    public boolean isOf(long seed, int count) {
      return this.seed == seed && this.count == count;
    }

    /** Rows of batch {@code index} in the dealt blocks. */
    public int rows(int index) {
      return start[index + 1] - start[index];
    }

    /**
     * The rows of batch {@code index} of {@code blocks} (the list this deal was made of) as one
     * block: null when there are none, else a block viewing {@code into}'s buffers, valid until
     * {@code into} is used again. Row ids are not carried.
     */
    public Block gather(List<Block> blocks, int index, Gather into) {
      int from = start[index];
      int n = start[index + 1] - from;
      if (n == 0) {
        return null;
      }
      Block first = blocks.get(block[from]);
      int f = first.features;
      int t = first.targetWidth;
      boolean single = first.xFloat != null;
      into.ensure(n, f, t, single);
      for (int k = 0; k < n; k++) {
        Block b = blocks.get(block[from + k]);
        int r = row[from + k];
        if (single) {
          System.arraycopy(b.xFloat, r * f, into.xFloat, k * f, f);
        } else {
          System.arraycopy(b.x, r * f, into.x, k * f, f);
        }
        if (t > 0) {
          System.arraycopy(b.y, r * t, into.y, k * t, t);
        }
      }
      double[] y = t > 0 ? into.y : null;
      return single ? new Block(n, f, into.xFloat, t, y, null)
          : new Block(n, f, into.x, t, y, null);
    }
  }

  /**
   * Reused buffers that {@link Deal#gather} stacks a batch's rows into; one per thread
   * ({@link #forThread}), grown only when a larger batch comes.
   */
  public static final class Gather {
    private static final ThreadLocal<Gather> PER_THREAD = ThreadLocal.withInitial(Gather::new);

    double[] x = new double[0];
    float[] xFloat = new float[0];
    double[] y = new double[0];

    public Gather() {}

    /** This thread's buffers; the caller must be done with them before it asks again. */
    public static Gather forThread() {
      return PER_THREAD.get();
    }

    void ensure(int rows, int features, int targets, boolean single) {
      int grown = rows + rows / 4;
      if (single && xFloat.length < rows * features) {
        xFloat = new float[grown * features];
      }
      if (!single && x.length < rows * features) {
        x = new double[grown * features];
      }
      if (y.length < rows * targets) {
        y = new double[grown * targets];
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
