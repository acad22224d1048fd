package dev.sparkprop.train;

import dev.sparkprop.nn.Checks;
import dev.sparkprop.optim.FirstOrderSpec;
import dev.sparkprop.optim.Lbfgs;
import dev.sparkprop.optim.OptimizerSpec;
import dev.sparkprop.optim.OptimizerState;
import dev.sparkprop.optim.StepSpec;
import dev.sparkprop.optim.WeightDecay;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The engine-agnostic training loop. A first-order optimizer takes one full-batch step per
 * epoch, or one step per mini-batch (the epoch's batches chosen by the seed, {@link Batch});
 * each step's gradient is clipped, gets the weight decay, and goes to the optimizer at the
 * scheduled learning rate. L-BFGS takes one iteration per epoch on an {@link Lbfgs.Engine}.
 * After each epoch the validation data is evaluated, the early-stopping monitor updated, the
 * listener told, and every {@link TrainConfig#checkpointEvery} epochs (and at the end) a
 * {@link Checkpoint} handed to the sink, from which {@link #fit} can resume.
 */
public final class Trainer {
  /** Called after every epoch, on the driver. */
  @FunctionalInterface
  public interface Listener {
    void onEpoch(EpochStats stats);
  }

  /** Receives checkpoints (to write them somewhere); called on the driver between epochs. */
  @FunctionalInterface
  public interface CheckpointSink {
    void save(Checkpoint checkpoint);
  }

  /** Held-out data and what to measure on it. */
  public record Validation(Objective data, Metrics.Spec spec) {}

  /**
   * The parameters to keep (the best epoch's with early stopping, else the last), the
   * per-epoch history, the epoch those parameters come from, and why training ended.
   */
  public record Result(double[] params, List<EpochStats> history, int keptEpoch,
      String stopReason) {}

  private final TrainConfig config;
  private final Lbfgs.Engine lbfgsEngine;
  /** Local SGD rounds even with 1 local step (tests: they must equal synchronous sgd). */
  private boolean localRounds;

  /** A trainer for first-order optimizers. */
  public Trainer(TrainConfig config) {
    this(config, null);
  }

  /** A trainer that runs L-BFGS on {@code lbfgsEngine} (may be null for other optimizers). */
  public Trainer(TrainConfig config, Lbfgs.Engine lbfgsEngine) {
    this.config = Objects.requireNonNull(config, "config");
    this.lbfgsEngine = lbfgsEngine;
    Checks.arg(!(config.optimizer() instanceof Lbfgs) || lbfgsEngine != null,
        "L-BFGS needs an engine (dev.sparkprop.spark.BreezeLbfgs)");
  }

  /** {@code epochs} epochs of {@code optimizer}, without early stopping or checkpoints. */
  public Trainer(OptimizerSpec optimizer, int epochs) {
    this(TrainConfig.of(optimizer, epochs));
  }

  public TrainConfig config() {
    return config;
  }

  /** This trainer, taking local SGD rounds even when the optimizer has 1 local step. */
  Trainer withLocalRounds() {
    localRounds = true;
    return this;
  }

  /** {@link #fit(Objective, Validation, double[], Listener, CheckpointSink, Checkpoint)}, new. */
  public Result fit(Objective train, Validation validation, double[] initialParams,
      Listener listener) {
    return fit(train, validation, initialParams, listener, null, null);
  }

  /**
   * Trains from {@code initialParams} (not modified), or continues from {@code resume}.
   *
   * @param validation held-out data evaluated after every epoch, or null
   * @param checkpoints receives checkpoints, or null for none
   * @param resume a checkpoint of an earlier run of the same configuration, or null
   * @throws NonFiniteLossException if a loss, gradient or parameter stops being finite; the
   *     message names the epoch and step
   */
  public Result fit(Objective train, Validation validation, double[] initialParams,
      Listener listener, CheckpointSink checkpoints, Checkpoint resume) {
    Checks.arg(validation != null || !config.earlyStopping().enabled(),
        "early stopping needs validation data");
    Session s = new Session(train, validation, listener, checkpoints);
    if (resume != null) {
      s.resume(resume, initialParams.length);
      if (resume.finished()) {
        return s.result(resume.stopReason());
      }
    } else {
      s.params = initialParams.clone();
    }
    String stop = config.optimizer() instanceof Lbfgs lbfgs ? s.runLbfgs(lbfgs, resume)
        : s.runFirstOrder((FirstOrderSpec) config.optimizer(), resume);
    s.checkpoint(stop);
    return s.result(stop != null ? stop : "completed " + s.epoch + " epochs");
  }

  /** The mutable state of one fit. */
  private final class Session {
    final Objective train;
    final Validation validation;
    final Listener listener;
    final CheckpointSink checkpoints;
    final WeightDecay decay;
    final int epochs = config.epochs();
    double[] params;
    List<EpochStats> history = new ArrayList<>();
    EarlyStopping.Best best = EarlyStopping.Best.none();
    int epoch;
    OptimizerState.Snapshot lastState;
    int lastCheckpoint = -1;

    Session(Objective train, Validation validation, Listener listener,
        CheckpointSink checkpoints) {
      this.train = train;
      this.validation = validation;
      this.listener = listener;
      this.checkpoints = checkpoints;
      double lambda = config.optimizer().weightDecay();
      this.decay = lambda > 0 ? WeightDecay.of(config.network(), lambda) : WeightDecay.none();
    }

    void resume(Checkpoint c, int numParams) {
      Checks.arg(c.seed() == config.seed(), "the checkpoint was made with seed %s, not %s",
          c.seed(), config.seed());
      c.optimizer().checkOptimizer(config.optimizer().id());
      Checks.arg(c.params().length == numParams,
          "the checkpoint has %s parameters, the network %s", c.params().length, numParams);
      Checks.arg(c.epoch() <= epochs || c.finished(),
          "the checkpoint is of epoch %s, beyond the run's %s epochs", c.epoch(), epochs);
      params = c.params();
      history = new ArrayList<>(c.history());
      best = c.best();
      epoch = c.epoch();
      lastState = c.optimizer();
      lastCheckpoint = c.epoch();
    }

    /** Runs the remaining epochs; returns why it stopped early, or null after all of them. */
    String runFirstOrder(FirstOrderSpec spec, Checkpoint resume) {
      StepSpec steps = spec.steps();
      OptimizerState state = spec.newState(params.length);
      if (resume != null) {
        state.restore(resume.optimizer());
      }
      double[] gradient = new double[params.length];
      long n = train.numRows();
      int batches = steps.batchSize() == 0 ? 1 : Batch.count(n, steps.batchSize());
      if (steps.localSteps() > 1 || localRounds) {
        return runLocalSgd(spec, state, batches);
      }
      while (epoch < epochs) {
        epoch++;
        long start = System.nanoTime();
        long seed = Batch.epochSeed(config.seed(), epoch);
        double lossSum = 0;
        long rows = 0;
        int taken = 0;
        double learningRate = Double.NaN;
        try (Objective.EpochSteps epochSteps = batches == 1 ? null
            : train.openEpoch(seed, batches)) {
          for (int b = 0; b < batches; b++) {
            double loss;
            long batchRows;
            if (batches == 1) {
              loss = train.lossAndGradient(params, gradient);
              batchRows = n;
            } else {
              Objective.BatchLoss bl = epochSteps.lossAndGradient(params, b, gradient);
              loss = bl.loss();
              batchRows = bl.rows();
              if (batchRows == 0) {
                continue;
              }
            }
            checkFinite(loss, gradient, b, batches);
            steps.clip(gradient);
            decay.addGradient(params, gradient);
            learningRate = steps.learningRate(epoch - 1 + (double) b / batches, 1.0 / batches,
                epochs);
            state.step(params, gradient, learningRate);
            lossSum += loss * batchRows;
            rows += batchRows;
            taken++;
          }
        }
        checkParams();
        lastState = state.snapshot();
        String stop = endEpoch(start, taken, learningRate, lossSum / rows, rows);
        if (stop != null) {
          return stop;
        }
      }
      return null;
    }

    /**
     * Epochs of local SGD ({@link LocalSgd}): rounds of up to K steps, each one call of
     * {@link Objective#localRound}; a round never spans two epochs, so checkpoints fall between
     * rounds and hold the averaged state.
     */
    String runLocalSgd(FirstOrderSpec spec, OptimizerState state, int batches) {
      StepSpec steps = spec.steps();
      int k = steps.localSteps();
      while (epoch < epochs) {
        epoch++;
        long start = System.nanoTime();
        long seed = Batch.epochSeed(config.seed(), epoch);
        double lossSum = 0;
        long rows = 0;
        int taken = 0;
        double learningRate = Double.NaN;
        try (Objective.EpochSteps epochSteps = train.openEpoch(seed, batches)) {
          for (int first = 0; first < batches; first += k) {
            double[] rates = new double[Math.min(k, batches - first)];
            for (int j = 0; j < rates.length; j++) {
              rates[j] = steps.learningRate(epoch - 1 + (double) (first + j) / batches,
                  1.0 / batches, epochs);
            }
            OptimizerState.Snapshot before = state.snapshot();
            LocalSgd.Sum sum = epochSteps.localRound(params, before,
                new LocalSgd.Round(spec, decay, seed, batches, first, rates));
            if (sum.rows() == 0) {
              continue;
            }
            if (!Double.isFinite(sum.loss())) {
              throw diverged("training loss became " + sum.loss() / sum.rows(), "local round "
                  + (first / k + 1));
            }
            sum.averageInto(params, state, before, rates.length);
            learningRate = rates[rates.length - 1];
            lossSum += sum.loss();
            rows += sum.rows();
            taken += rates.length;
          }
        }
        checkParams();
        lastState = state.snapshot();
        String stop = endEpoch(start, taken, learningRate, lossSum / rows, rows);
        if (stop != null) {
          return stop;
        }
      }
      return null;
    }

    String runLbfgs(Lbfgs spec, Checkpoint resume) {
      long n = train.numRows();
      long[] evaluations = {0};
      Lbfgs.Function f = (x, gradient) -> {
        double loss = train.lossAndGradient(x, gradient);
        evaluations[0]++;
        if (!Double.isFinite(loss)) {
          throw diverged("training loss became " + loss, "L-BFGS evaluation " + evaluations[0]);
        }
        checkGradient(gradient, "L-BFGS evaluation " + evaluations[0]);
        decay.addGradient(x, gradient);
        return loss + decay.penalty(x);
      };
      long start = System.nanoTime();
      Lbfgs.Run run = resume == null ? lbfgsEngine.start(spec, f, params)
          : lbfgsEngine.resume(spec, f, resume.optimizer());
      lastState = run.snapshot();
      while (epoch < epochs) {
        epoch++;
        if (epoch > 1 || resume != null) {
          start = System.nanoTime();
          evaluations[0] = 0;
        }
        double[] before = run.x();
        double lossBefore = run.value() - decay.penalty(before);
        if (!run.iterate()) {
          epoch--;
          return "L-BFGS converged: " + run.convergedBecause();
        }
        params = run.x();
        checkParams();
        lastState = run.snapshot();
        String stop = endEpoch(start, 1, Double.NaN, lossBefore, evaluations[0] * n);
        if (stop != null) {
          return stop;
        }
        if (run.convergedBecause() != null) {
          return "L-BFGS converged after " + epoch + " iterations: " + run.convergedBecause();
        }
      }
      return null;
    }

    /** Validation, early stopping, listener and periodic checkpoint; a stop reason or null. */
    String endEpoch(long start, int steps, double learningRate, double trainLoss, long rows) {
      Metrics metrics = validation == null ? null
          : validation.data().evaluate(params, validation.spec());
      double seconds = (System.nanoTime() - start) / 1e9;
      EpochStats stats = new EpochStats(epoch, epochs, steps, learningRate, trainLoss,
          metrics == null ? null : metrics.summary(), seconds, rows);
      history.add(stats);
      String stop = null;
      if (config.earlyStopping().enabled()) {
        best = config.earlyStopping().update(best, epoch, metrics.loss(), params);
        if (config.earlyStopping().stops(best)) {
          stop = String.format(Locale.ROOT, "early stopping after epoch %d: validation loss has "
              + "not improved by more than %s for %d epochs; keeping epoch %d (validation loss "
              + "%.6g)", epoch, config.earlyStopping().minDelta(), best.sinceBest(), best.epoch(),
              best.loss());
        }
      }
      if (listener != null) {
        listener.onEpoch(stats);
      }
      if (stop == null && epoch < epochs && epoch % config.checkpointEvery() == 0) {
        checkpoint(null);
      }
      return stop;
    }

    /** A checkpoint of now; {@code stopReason} non-null when the run stopped early. */
    void checkpoint(String stopReason) {
      if (checkpoints != null && (stopReason != null || lastCheckpoint != epoch)) {
        checkpoints.save(new Checkpoint(config.seed(), epoch, params, lastState, best, history,
            stopReason));
        lastCheckpoint = epoch;
      }
    }

    Result result(String stopReason) {
      boolean useBest = config.earlyStopping().enabled() && best.params() != null;
      return new Result(useBest ? best.params() : params.clone(), List.copyOf(history),
          useBest ? best.epoch() : epoch, stopReason);
    }

    void checkFinite(double loss, double[] gradient, int step, int steps) {
      String where = steps == 1 ? null : "step " + (step + 1) + " of " + steps;
      if (!Double.isFinite(loss)) {
        throw diverged("training loss became " + loss, where);
      }
      checkGradient(gradient, where);
    }

    void checkGradient(double[] gradient, String where) {
      for (double g : gradient) {
        if (!Double.isFinite(g)) {
          throw diverged("the gradient became non-finite", where);
        }
      }
    }

    void checkParams() {
      for (double p : params) {
        if (!Double.isFinite(p)) {
          throw diverged("the parameters became non-finite", "its last step");
        }
      }
    }

    NonFiniteLossException diverged(String what, String where) {
      return new NonFiniteLossException(what + " at epoch " + Math.max(epoch, 1)
          + (where == null ? "" : ", " + where)
          + "; lower the learning rate, clip gradients or check the input for extreme values");
    }
  }
}
