package dev.sparkprop.train;

import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Checks;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.Workspace;
import java.util.Arrays;
import java.util.List;

/**
 * The single-JVM {@link Objective}: blocks held in memory, summed in order on the calling
 * thread. The reference that the Spark engine is tested against, and the engine for tiny data.
 */
public final class LocalObjective implements Objective {
  private final Network network;
  private final List<Block> blocks;
  private final Workspace workspace;
  private final long rows;

  public LocalObjective(Network network, List<Block> blocks) {
    this.network = network;
    this.blocks = List.copyOf(blocks);
    long n = 0;
    int maxRows = 1;
    for (Block b : this.blocks) {
      n += b.rows;
      maxRows = Math.max(maxRows, b.rows);
    }
    Checks.arg(n > 0, "the training data is empty");
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
    double inv = 1.0 / rows;
    for (int i = 0; i < gradient.length; i++) {
      gradient[i] *= inv;
    }
    return loss * inv;
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
}
