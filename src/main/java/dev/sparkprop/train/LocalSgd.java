package dev.sparkprop.train;

import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Checks;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.Workspace;
import dev.sparkprop.optim.FirstOrderSpec;
import dev.sparkprop.optim.OptimizerState;
import dev.sparkprop.optim.WeightDecay;
import java.io.IOException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Local SGD (Lin et al. 2018, "Don't use large mini-batches, use local SGD"; DL4J's parameter
 * averaging): every replica (a partition of the training rows) starts a round from the same
 * parameters and optimizer state, takes the round's K mini-batch steps on its own rows of
 * batches {@code first .. first+K-1} of the epoch, and the replicas are then averaged, each
 * weighted by the rows it stepped on. One synchronisation (on Spark: one exchange with the
 * epoch's tasks, or one job) per K steps instead of one per step.
 *
 * <p>Optimizer state: the moments (momentum's velocity, Adam's m and v) are averaged like the
 * parameters, weighted by rows, and the step count advances by K, so every round starts all
 * replicas from one state that lives on the driver: checkpoints and resumes are exact, and the
 * result does not depend on where tasks ran. (Keeping moments per replica would make them
 * executor state, lost with an executor and not checkpointable; resetting them every round
 * would restart Adam's bias correction every K steps.) A replica clips and decays its own
 * gradient, at the learning rate the schedule gives each step of the round. A replica without
 * rows in one of the round's batches skips that step. With {@code sgd} and K = 1 a round is
 * {@code w - lr * (sum_p n_p g_p) / n}: the synchronous step, to rounding.
 */
public final class LocalSgd {
  private LocalSgd() {}

  /**
   * One round: the optimizer, decay, the epoch's batch seed and count, the first batch and the
   * learning rate of each of the round's steps.
   */
  public record Round(FirstOrderSpec optimizer, WeightDecay decay, long seed, int count,
      int first, double[] learningRates) implements Serializable {
    public Round {
      Checks.arg(first >= 0 && learningRates.length >= 1
          && first + learningRates.length <= count, "bad round: batches %s..%s of %s", first,
          first + learningRates.length - 1, count);
    }

    public int steps() {
      return learningRates.length;
    }
  }

  /**
   * Sums over replicas of a round: each replica's final parameters and state arrays times the
   * rows it stepped on, those rows, and the loss sums of its steps (each at the parameters the
   * step started from). Merged by addition; {@link #averageInto} divides by the rows.
   */
  public static final class Sum implements Serializable {
    private static final long serialVersionUID = 1L;

    transient double[] params; // null while empty
    transient double[][] arrays;
    String[] names;
    long rows;
    double loss;

    public static Sum zero() {
      return new Sum();
    }

    public long rows() {
      return rows;
    }

    public double loss() {
      return loss;
    }

    /** Adds {@code o} into this and returns this. */
    public Sum merge(Sum o) {
      if (o.params != null) {
        if (params == null) {
          params = o.params;
          arrays = o.arrays;
          names = o.names;
        } else {
          add(params, o.params);
          for (int i = 0; i < arrays.length; i++) {
            add(arrays[i], o.arrays[i]);
          }
        }
      }
      rows += o.rows;
      loss += o.loss;
      return this;
    }

    /**
     * Overwrites {@code params} with the row-weighted mean of the replicas and restores
     * {@code state} to their mean state, {@code steps} steps on from {@code before}.
     */
    public void averageInto(double[] params, OptimizerState state,
        OptimizerState.Snapshot before, int steps) {
      Checks.state(rows > 0 && this.params != null, "no replica stepped in this round");
      double inv = 1.0 / rows;
      for (int i = 0; i < params.length; i++) {
        params[i] = this.params[i] * inv;
      }
      Map<String, double[]> mean = new LinkedHashMap<>();
      for (int a = 0; a < arrays.length; a++) {
        double[] v = arrays[a];
        for (int i = 0; i < v.length; i++) {
          v[i] *= inv;
        }
        mean.put(names[a], v);
      }
      state.restore(new OptimizerState.Snapshot(before.optimizer(), before.steps() + steps,
          mean));
    }

    private static void add(double[] a, double[] b) {
      for (int i = 0; i < a.length; i++) {
        a[i] += b[i];
      }
    }

    private void writeObject(java.io.ObjectOutputStream out) throws IOException {
      out.defaultWriteObject();
      dev.sparkprop.nn.Doubles.write(out, params);
      out.writeInt(arrays == null ? 0 : arrays.length);
      if (arrays != null) {
        for (double[] a : arrays) {
          dev.sparkprop.nn.Doubles.write(out, a);
        }
      }
    }

    private void readObject(java.io.ObjectInputStream in) throws IOException,
        ClassNotFoundException {
      in.defaultReadObject();
      params = dev.sparkprop.nn.Doubles.read(in);
      int n = in.readInt();
      arrays = params == null ? null : new double[n][];
      for (int i = 0; i < n; i++) {
        arrays[i] = dev.sparkprop.nn.Doubles.read(in);
      }
    }
  }

  /**
   * One replica's round: from {@code params} and {@code state} (neither modified), the round's
   * steps on this replica's rows of each batch ({@code blocks}, dealt by {@code deal}).
   */
  public static Sum replica(Round round, Network network, double[] params,
      OptimizerState.Snapshot state, List<Block> blocks, Batch.Deal deal) {
    double[] w = params.clone();
    OptimizerState s = round.optimizer().newState(w.length);
    s.restore(state);
    double[] gradient = new double[w.length];
    Sum sum = new Sum();
    for (int j = 0; j < round.steps(); j++) {
      Block b = deal.gather(blocks, round.first() + j, Batch.Gather.forThread());
      if (b == null) {
        continue;
      }
      java.util.Arrays.fill(gradient, 0.0);
      double loss = network.lossAndGradient(w, b,
          Workspace.forThread(network.spec(), b.rows), gradient);
      double inv = 1.0 / b.rows;
      for (int i = 0; i < gradient.length; i++) {
        gradient[i] *= inv;
      }
      round.optimizer().steps().clip(gradient);
      round.decay().addGradient(w, gradient);
      s.step(w, gradient, round.learningRates()[j]);
      sum.loss += loss;
      sum.rows += b.rows;
    }
    if (sum.rows == 0) {
      return sum;
    }
    double weight = sum.rows;
    for (int i = 0; i < w.length; i++) {
      w[i] *= weight;
    }
    OptimizerState.Snapshot after = s.snapshot();
    sum.names = after.arrays().keySet().toArray(new String[0]);
    sum.arrays = new double[sum.names.length][];
    for (int a = 0; a < sum.names.length; a++) {
      double[] v = after.array(sum.names[a], w.length);
      for (int i = 0; i < v.length; i++) {
        v[i] *= weight;
      }
      sum.arrays[a] = v;
    }
    sum.params = w;
    return sum;
  }
}
