package dev.sparkprop.train;

import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Checks;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.Workspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The single-JVM {@link Objective}: blocks held in memory, summed in order on the calling
 * thread. The reference that the Spark engine is tested against, and the engine for tiny data.
 * Blocks without row ids get their position in the list (0, 1, ... across blocks) as ids.
 */
public final class LocalObjective implements Objective {
  private final Network network;
  private final List<Block> blocks;
  private final Workspace workspace;
  private final Batch.Scratch scratch = new Batch.Scratch();
  private final long rows;

  public LocalObjective(Network network, List<Block> blocks) {
    this.network = network;
    List<Block> withIds = new ArrayList<>(blocks.size());
    long n = 0;
    int maxRows = 1;
    for (Block b : blocks) {
      if (b.rowIds == null) {
        long[] ids = new long[b.rows];
        for (int r = 0; r < b.rows; r++) {
          ids[r] = n + r;
        }
        b = b.withRowIds(ids);
      }
      withIds.add(b);
      n += b.rows;
      maxRows = Math.max(maxRows, b.rows);
    }
    Checks.arg(n > 0, "the training data is empty");
    this.blocks = List.copyOf(withIds);
    this.rows = n;
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
    double loss = 0;
    long n = 0;
    for (Block b : blocks) {
      Block selected = batch.select(b, scratch);
      if (selected != null) {
        loss += network.lossAndGradient(params, selected, workspace, gradient);
        n += selected.rows;
      }
    }
    if (n == 0) {
      return new BatchLoss(0.0, 0);
    }
    scale(gradient, 1.0 / n);
    return new BatchLoss(loss / n, n);
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
