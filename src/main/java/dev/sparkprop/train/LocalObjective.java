package dev.sparkprop.train;

import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Checks;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.Workspace;
import dev.sparkprop.optim.OptimizerState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The single-JVM {@link Objective}: blocks held in memory, summed in order on the calling
 * thread. The reference that the Spark engine is tested against, and the engine for tiny data.
 * Blocks without row ids get their position in the list (0, 1, ... across blocks) as ids.
 *
 * <p>The blocks may be grouped into partitions ({@link #partitioned}) that play the part of
 * Spark's: a mini-batch step gathers each partition's rows of the batch into one block and adds
 * the partitions' sums in partition order, and local SGD runs one replica per partition, as
 * {@code SparkObjective} does with up to 5 partitions. The same grouping gives the same bits.
 */
public final class LocalObjective implements Objective {
  private final Network network;
  private final List<List<Block>> partitions;
  private final List<Block> blocks;
  private final Workspace workspace;
  private final Batch.Gather gather = new Batch.Gather();
  private final Batch.Deal[] deals;
  private final long rows;

  /** One partition of {@code blocks}. */
  public LocalObjective(Network network, List<Block> blocks) {
    this(network, List.of(blocks), true);
  }

  /** Blocks grouped into partitions, in partition order. */
  public static LocalObjective partitioned(Network network, List<List<Block>> partitions) {
    return new LocalObjective(network, partitions, true);
  }

  private LocalObjective(Network network, List<List<Block>> partitions, boolean unused) {
    this.network = network;
    List<List<Block>> parts = new ArrayList<>();
    List<Block> all = new ArrayList<>();
    long n = 0;
    int maxRows = 1;
    for (List<Block> part : partitions) {
      List<Block> withIds = new ArrayList<>(part.size());
      for (Block b : part) {
        if (b.rowIds == null) {
          long[] ids = new long[b.rows];
          for (int r = 0; r < b.rows; r++) {
            ids[r] = n + r;
          }
          b = b.withRowIds(ids);
        }
        withIds.add(b);
        all.add(b);
        n += b.rows;
        maxRows = Math.max(maxRows, b.rows);
      }
      parts.add(List.copyOf(withIds));
    }
    Checks.arg(n > 0, "the training data is empty");
    this.partitions = List.copyOf(parts);
    this.blocks = List.copyOf(all);
    this.rows = n;
    this.deals = new Batch.Deal[parts.size()];
    this.workspace = new Workspace(network.spec(), maxRows);
  }

  @Override
  public long numRows() {
    return rows;
  }

  @Override
  public double lossAndGradient(double[] params, double[] gradient) {
    Arrays.fill(gradient, 0.0);
    double loss = 0;
    for (Block b : blocks) {
      loss += network.lossAndGradient(params, b, workspace, gradient);
    }
    scale(gradient, 1.0 / rows);
    return loss / rows;
  }

  @Override
  public BatchLoss lossAndGradient(double[] params, Batch batch, double[] gradient) {
    Arrays.fill(gradient, 0.0);
    double[] part = new double[gradient.length];
    double loss = 0;
    long n = 0;
    for (int p = 0; p < partitions.size(); p++) {
      Block b = deal(p, batch.seed(), batch.count()).gather(partitions.get(p), batch.index(),
          gather);
      if (b != null) {
        Arrays.fill(part, 0.0);
        loss += network.lossAndGradient(params, b, workspace, part);
        n += b.rows;
        for (int i = 0; i < part.length; i++) {
          gradient[i] += part[i];
        }
      }
    }
    if (n == 0) {
      return new BatchLoss(0.0, 0);
    }
    double inv = 1.0 / n;
    scale(gradient, inv);
    return new BatchLoss(loss * inv, n);
  }

  @Override
  public LocalSgd.Sum localRound(double[] params, OptimizerState.Snapshot state,
      LocalSgd.Round round) {
    LocalSgd.Sum sum = LocalSgd.Sum.zero();
    for (int p = 0; p < partitions.size(); p++) {
      sum.merge(LocalSgd.replica(round, network, params, state, partitions.get(p),
          deal(p, round.seed(), round.count())));
    }
    return sum;
  }

  /** Partition {@code p}'s rows dealt to the epoch's batches, made once per epoch. */
  private Batch.Deal deal(int p, long seed, int count) {
    if (deals[p] == null || !deals[p].isOf(seed, count)) {
      deals[p] = Batch.Deal.of(partitions.get(p), seed, count);
    }
    return deals[p];
  }

  @Override
  public double loss(double[] params) {
    double loss = 0;
    for (Block b : blocks) {
      loss += network.loss(params, b, workspace);
    }
    return loss / rows;
  }

  @Override
  public Metrics evaluate(double[] params, Metrics.Spec spec) {
    Metrics metrics = spec.newMetrics();
    for (Block b : blocks) {
      double loss = network.loss(params, b, workspace);
      metrics.add(network.outputs(workspace), b.y, b.targetWidth, b.rows, loss);
    }
    return metrics;
  }

  private static void scale(double[] v, double factor) {
    for (int i = 0; i < v.length; i++) {
      v[i] *= factor;
    }
  }
}
