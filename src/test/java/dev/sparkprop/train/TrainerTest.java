package dev.sparkprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Init;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.optim.Adam;
import dev.sparkprop.optim.FirstOrderSpec;
import dev.sparkprop.optim.GradientDescent;
import dev.sparkprop.optim.Momentum;
import dev.sparkprop.optim.Schedule;
import dev.sparkprop.optim.StepSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The training loop on the single-JVM objective: mini-batches, early stopping, resume. */
class TrainerTest {
  static final NetworkSpec SPEC = NetworkSpec.of(new int[] {3, 5, 1}, Activation.TANH,
      Activation.IDENTITY, Loss.MSE);

  /** 230 rows of y = sin(x0) + x1 x2 + noise, in uneven blocks, ids 1000.. in input order. */
  static List<Block> blocks() {
    Random random = new Random(7);
    List<Block> blocks = new ArrayList<>();
    long id = 1000;
    for (int rows : new int[] {64, 64, 37, 1, 64}) {
      double[] x = new double[rows * 3];
      double[] y = new double[rows];
      long[] ids = new long[rows];
      for (int r = 0; r < rows; r++) {
        for (int f = 0; f < 3; f++) {
          x[r * 3 + f] = random.nextGaussian();
        }
        y[r] = Math.sin(x[r * 3]) + x[r * 3 + 1] * x[r * 3 + 2] + 0.1 * random.nextGaussian();
        ids[r] = id++;
      }
      blocks.add(new Block(rows, 3, x, 1, y, ids));
    }
    return blocks;
  }

  static LocalObjective objective() {
    return new LocalObjective(new Network(SPEC), blocks());
  }

  static StepSpec steps(double lr, int batch) {
    return new StepSpec(lr, Schedule.constant(), batch, 0.0, 0.0);
  }

  static TrainConfig config(FirstOrderSpec optimizer, int epochs, long seed) {
    return new TrainConfig(SPEC, optimizer, epochs, seed, EarlyStopping.OFF, epochs);
  }

  static double[] init() {
    return Init.AUTO.initialize(SPEC, 3);
  }

  /** An objective that remembers the rows of every mini-batch it was asked for. */
  static final class Recording implements Objective {
    final LocalObjective inner = objective();
    final List<Long> batchRows = new ArrayList<>();

    @Override
    public long numRows() {
      return inner.numRows();
    }

    @Override
    public double lossAndGradient(double[] params, double[] gradient) {
      return inner.lossAndGradient(params, gradient);
    }

    @Override
    public BatchLoss lossAndGradient(double[] params, Batch batch, double[] gradient) {
      BatchLoss loss = inner.lossAndGradient(params, batch, gradient);
      batchRows.add(loss.rows());
      return loss;
    }

    @Override
    public double loss(double[] params) {
      return inner.loss(params);
    }

    @Override
    public Metrics evaluate(double[] params, Metrics.Spec spec) {
      return inner.evaluate(params, spec);
    }
  }

  @Test
  void deal_everyBatchOfAnEpoch_gathersEachRowExactlyOnceInOrder() {
    List<Block> blocks = blocks();
    for (int epoch = 1; epoch <= 3; epoch++) {
      long seed = Batch.epochSeed(42, epoch);
      Set<Long> seen = new HashSet<>();
      int count = Batch.count(230, 32);
      assertEquals(8, count);
      Batch.Deal deal = Batch.Deal.of(blocks, seed, count);
      Batch.Gather gather = new Batch.Gather();
      for (int b = 0; b < count; b++) {
        Block gathered = deal.gather(blocks, b, gather);
        // the gathered rows are the blocks' rows of this batch, in block and row order
        int k = 0;
        for (Block block : blocks) {
          for (int r = 0; r < block.rows; r++) {
            if (Batch.indexOf(seed, block.rowIds[r], count) == b) {
              assertTrue(seen.add(block.rowIds[r]), "row " + block.rowIds[r] + " twice");
              for (int f = 0; f < 3; f++) {
                assertEquals(block.x[r * 3 + f], gathered.x[k * 3 + f], 0.0);
              }
              assertEquals(block.y[r], gathered.y[k], 0.0);
              k++;
            }
          }
        }
        assertEquals(k, deal.rows(b));
        assertEquals(k, gathered == null ? 0 : gathered.rows);
      }
      assertEquals(230, seen.size(), "every row once in epoch " + epoch);
    }
  }

  @Test
  void indexOf_differentEpochs_reshufflesRows() {
    int same = 0;
    for (long id = 0; id < 1000; id++) {
      same += Batch.indexOf(Batch.epochSeed(42, 1), id, 10)
          == Batch.indexOf(Batch.epochSeed(42, 2), id, 10) ? 1 : 0;
    }
    // independent batches agree for 1/10 of the rows: 100 +- 9.5 (one sd); 6 sd margin
    assertTrue(same > 43 && same < 157, "rows in the same batch in epochs 1 and 2: " + same);
  }

  @Test
  void fit_miniBatches_eachEpochStepsOverEveryRowOnce() {
    Recording train = new Recording();
    Trainer trainer = new Trainer(config(new GradientDescent(steps(0.05, 32)), 3, 42));
    Trainer.Result r = trainer.fit(train, null, init(), null);
    assertEquals(3 * 8, train.batchRows.size());
    for (int e = 0; e < 3; e++) {
      long rows = 0;
      for (int b = 0; b < 8; b++) {
        rows += train.batchRows.get(e * 8 + b);
      }
      assertEquals(230, rows, "epoch " + (e + 1));
      assertEquals(230, r.history().get(e).rows());
    }
    assertEquals(8, r.history().get(0).steps());
  }

  @Test
  void fit_sameSeedTwice_sameModelBitForBit() {
    Adam adam = new Adam(steps(0.01, 16), 0.9, 0.999, 1e-8);
    double[] a = new Trainer(config(adam, 5, 11)).fit(objective(), null, init(), null).params();
    double[] b = new Trainer(config(adam, 5, 11)).fit(objective(), null, init(), null).params();
    double[] c = new Trainer(config(adam, 5, 12)).fit(objective(), null, init(), null).params();
    assertArrayEquals(a, b, 0.0);
    assertFalse(java.util.Arrays.equals(a, c), "another seed, other batches, another model");
  }

  @Test
  void fit_adamMiniBatches_learnsTheFunction() {
    LocalObjective train = objective();
    double before = train.loss(init());
    Trainer.Result r = new Trainer(config(new Adam(steps(0.01, 16), 0.9, 0.999, 1e-8), 60, 1))
        .fit(train, null, init(), null);
    double after = train.loss(r.params());
    assertTrue(after < 0.2 * before, "loss " + before + " -> " + after);
  }

  /** A validation objective whose loss after epoch e is {@code losses[e - 1]}. */
  static Trainer.Validation scripted(double... losses) {
    Metrics.Spec spec = Metrics.Spec.regression(1, null, null);
    Objective script = new Objective() {
      int calls;

      @Override
      public long numRows() {
        return 1;
      }

      @Override
      public double lossAndGradient(double[] params, double[] gradient) {
        throw new UnsupportedOperationException();
      }

      @Override
      public BatchLoss lossAndGradient(double[] params, Batch batch, double[] gradient) {
        throw new UnsupportedOperationException();
      }

      @Override
      public double loss(double[] params) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Metrics evaluate(double[] params, Metrics.Spec s) {
        Metrics m = s.newMetrics();
        m.add(new double[] {0}, new double[] {0}, 1, 1, losses[calls++]);
        return m;
      }
    };
    return new Trainer.Validation(script, spec);
  }

  @Test
  void fit_earlyStopping_firesAfterPatienceAndKeepsBestEpoch() {
    // patience 3, min-delta 0.005. Best: e1 1.0, e2 0.9; e3 worse; e4 0.897 is not 0.005
    // better than 0.9; e5 0.89 is (new best); e6, e7 worse; e8 0.886 is not 0.005 better than
    // 0.89: third epoch without improvement, stop after epoch 8, keep epoch 5.
    Trainer.Validation v = scripted(1.0, 0.9, 0.95, 0.897, 0.89, 0.92, 0.91, 0.886, 0.1, 0.1);
    GradientDescent gd = new GradientDescent(0.1);
    TrainConfig es = new TrainConfig(SPEC, gd, 10, 0, new EarlyStopping(3, 0.005), 10);
    Trainer.Result r = new Trainer(es).fit(objective(), v, init(), null);
    assertEquals(8, r.history().size());
    assertEquals(5, r.keptEpoch());
    assertTrue(r.stopReason().startsWith("early stopping after epoch 8"), r.stopReason());
    double[] fiveEpochs = new Trainer(gd, 5).fit(objective(), null, init(), null).params();
    assertArrayEquals(fiveEpochs, r.params(), 0.0, "the best epoch's weights, not the last");
  }

  @Test
  void fit_earlyStoppingWithoutValidation_rejected() {
    TrainConfig es = new TrainConfig(SPEC, new GradientDescent(0.1), 10, 0,
        new EarlyStopping(3, 0), 10);
    assertEquals("early stopping needs validation data", assertThrows(
        IllegalArgumentException.class,
        () -> new Trainer(es).fit(objective(), null, init(), null)).getMessage());
  }

  @Test
  void fit_killedAfterCheckpointAndResumed_equalsUninterruptedRun() {
    Momentum momentum = new Momentum(new StepSpec(0.05,
        new Schedule(Schedule.Kind.COSINE, 1, 1.0, 0.001, 2), 40, 1.0, 1e-3), 0.9, true);
    TrainConfig cfg = new TrainConfig(SPEC, momentum, 12, 5, new EarlyStopping(50, 0.0), 4);
    Trainer.Result whole = new Trainer(cfg).fit(objective(), validation(), init(), null);

    List<Checkpoint> saved = new ArrayList<>();
    RuntimeException kill = new RuntimeException("killed");
    RuntimeException thrown = assertThrows(RuntimeException.class,
        () -> new Trainer(cfg).fit(objective(), validation(), init(), e -> {
          if (e.epoch() == 10) {
            throw kill;
          }
        }, saved::add, null));
    assertEquals(kill, thrown);
    assertEquals(List.of(4, 8), saved.stream().map(Checkpoint::epoch).toList());

    Trainer.Result resumed = new Trainer(cfg).fit(objective(), validation(), new double[SPEC
        .numParams()], null, saved::add, saved.get(1));
    assertArrayEquals(whole.params(), resumed.params(), 0.0);
    assertEquals(whole.history().size(), resumed.history().size());
    assertEquals(whole.history().get(11).trainLoss(), resumed.history().get(11).trainLoss(), 0.0);
    Checkpoint last = saved.get(saved.size() - 1);
    assertEquals(12, last.epoch());
    assertFalse(last.finished(), "a run that used all its epochs can be extended");
  }

  @Test
  void fit_completedRunResumedWithMoreEpochs_equalsLongerRun() {
    Adam adam = new Adam(steps(0.01, 50), 0.9, 0.999, 1e-8);
    List<Checkpoint> saved = new ArrayList<>();
    new Trainer(config(adam, 3, 4)).fit(objective(), null, init(), null, saved::add, null);
    Trainer.Result extended = new Trainer(config(adam, 7, 4)).fit(objective(), null,
        new double[SPEC.numParams()], null, null, saved.get(saved.size() - 1));
    Trainer.Result whole = new Trainer(config(adam, 7, 4)).fit(objective(), null, init(), null);
    assertArrayEquals(whole.params(), extended.params(), 0.0);
    assertEquals(7, extended.history().size());
  }

  @Test
  void fit_resumeFromEarlyStoppedCheckpoint_returnsTheKeptWeights() {
    List<Checkpoint> saved = new ArrayList<>();
    TrainConfig es = new TrainConfig(SPEC, new GradientDescent(0.1), 10, 0,
        new EarlyStopping(2, 0), 10);
    Trainer.Result first = new Trainer(es).fit(objective(), scripted(1, 0.5, 0.7, 0.8, 0.1),
        init(), null, saved::add, null);
    Checkpoint last = saved.get(saved.size() - 1);
    assertTrue(last.finished());
    Trainer.Result again = new Trainer(es).fit(objective(), scripted(), init(), null, null, last);
    assertEquals(2, again.keptEpoch());
    assertArrayEquals(first.params(), again.params(), 0.0);
  }

  static Trainer.Validation validation() {
    List<Block> held = new ArrayList<>();
    for (Block b : blocks()) {
      held.add(b.slice(0, Math.min(5, b.rows)));
    }
    return new Trainer.Validation(new LocalObjective(new Network(SPEC), held),
        Metrics.Spec.regression(1, null, null));
  }

  @Test
  void fit_resumeFromFinishedCheckpoint_returnsItsResult() {
    List<Checkpoint> saved = new ArrayList<>();
    TrainConfig cfg = config(new GradientDescent(0.1), 3, 0);
    Trainer.Result first = new Trainer(cfg).fit(objective(), null, init(), null, saved::add,
        null);
    Trainer.Result again = new Trainer(cfg).fit(objective(), null, init(), null, null,
        saved.get(0));
    assertArrayEquals(first.params(), again.params(), 0.0);
    assertEquals(first.stopReason(), again.stopReason());
  }

  @Test
  void fit_resumeWithOtherSeed_rejected() {
    List<Checkpoint> saved = new ArrayList<>();
    new Trainer(config(new GradientDescent(0.1), 2, 0)).fit(objective(), null, init(), null,
        saved::add, null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(config(new GradientDescent(0.1), 4, 9)).fit(objective(), null, init(),
            null, null, saved.get(0)));
    assertEquals("the checkpoint was made with seed 0, not 9", e.getMessage());
  }

  @Test
  void fit_divergingLearningRate_stopsNamingEpochAndStep() {
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
        () -> new Trainer(config(new GradientDescent(steps(1e6, 64)), 20, 0))
            .fit(objective(), null, init(), null));
    assertTrue(e.getMessage().matches(".* at epoch \\d+, step \\d+ of 4; lower the .*"),
        e.getMessage());
  }

  @Test
  void fit_weightDecay_shrinksWeights() {
    double[] plain = new Trainer(config(new GradientDescent(0.1), 30, 0))
        .fit(objective(), null, init(), null).params();
    double[] decayed = new Trainer(config(new GradientDescent(new StepSpec(0.1,
        Schedule.constant(), 0, 0.0, 0.5)), 30, 0)).fit(objective(), null, init(), null)
        .params();
    double plainNorm = 0;
    double decayedNorm = 0;
    for (int i = 0; i < SPEC.biasOffset(0); i++) {
      plainNorm += plain[i] * plain[i];
      decayedNorm += decayed[i] * decayed[i];
    }
    assertTrue(decayedNorm < 0.8 * plainNorm, plainNorm + " vs " + decayedNorm);
    assertNotEquals(plain[SPEC.biasOffset(1)], decayed[SPEC.biasOffset(1)]);
  }
}
