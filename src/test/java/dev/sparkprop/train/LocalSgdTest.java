package dev.sparkprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Network;
import dev.sparkprop.optim.Adam;
import dev.sparkprop.optim.GradientDescent;
import dev.sparkprop.optim.Momentum;
import dev.sparkprop.optim.Schedule;
import dev.sparkprop.optim.StepSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Local SGD on the single-JVM objective: K = 1 is synchronous sgd; resumes are exact. */
class LocalSgdTest {
  /** TrainerTest's 230 rows in 3 partitions of uneven size. */
  static LocalObjective partitioned() {
    List<Block> b = TrainerTest.blocks();
    return LocalObjective.partitioned(new Network(TrainerTest.SPEC),
        List.of(List.of(b.get(0)), List.of(b.get(1), b.get(2), b.get(3)), List.of(b.get(4))));
  }

  @Test
  void fit_sgdOneLocalStep_equalsSynchronousRunToRounding() {
    GradientDescent sgd = new GradientDescent(new StepSpec(0.05,
        new Schedule(Schedule.Kind.COSINE, 1, 1.0, 0.001, 1), 32, 0.0, 1e-3));
    TrainConfig cfg = TrainerTest.config(sgd, 6, 11);
    Trainer.Result sync = new Trainer(cfg).fit(partitioned(), null, TrainerTest.init(), null);
    Trainer.Result local = new Trainer(cfg).withLocalRounds().fit(partitioned(), null,
        TrainerTest.init(), null);
    double[] a = sync.params();
    double[] b = local.params();
    double moved = 0;
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-12 * Math.max(1, Math.abs(a[i])), "parameter " + i);
      moved = Math.max(moved, Math.abs(a[i] - TrainerTest.init()[i]));
    }
    assertTrue(moved > 0.05, "the run must move the weights, moved " + moved);
    for (int e = 0; e < 6; e++) {
      assertEquals(sync.history().get(e).trainLoss(), local.history().get(e).trainLoss(), 1e-12);
      assertEquals(sync.history().get(e).steps(), local.history().get(e).steps());
    }
  }

  @Test
  void fit_adamOneLocalStep_differsFromSynchronous() {
    // Averaging Adam replicas is not Adam on the averaged gradient: K = 1 is therefore not the
    // default's meaning of 1 (which is synchronous), and this test shows the two differ.
    Adam adam = new Adam(TrainerTest.steps(0.01, 32), 0.9, 0.999, 1e-8);
    TrainConfig cfg = TrainerTest.config(adam, 2, 11);
    double[] sync = new Trainer(cfg).fit(partitioned(), null, TrainerTest.init(), null).params();
    double[] local = new Trainer(cfg).withLocalRounds().fit(partitioned(), null,
        TrainerTest.init(), null).params();
    double worst = 0;
    for (int i = 0; i < sync.length; i++) {
      worst = Math.max(worst, Math.abs(sync[i] - local[i]));
    }
    assertTrue(worst > 1e-6, "worst difference " + worst);
  }

  @Test
  void fit_adamFourLocalSteps_learnsAndTakesEveryBatch() {
    Adam adam = new Adam(TrainerTest.steps(0.02, 16).withLocalSteps(4), 0.9, 0.999, 1e-8);
    Trainer.Result r = new Trainer(TrainerTest.config(adam, 30, 3)).fit(partitioned(), null,
        TrainerTest.init(), null);
    List<EpochStats> h = r.history();
    assertEquals(Batch.count(230, 16), h.get(0).steps());
    assertEquals(230, h.get(0).rows());
    assertTrue(h.get(29).trainLoss() < 0.5 * h.get(0).trainLoss(),
        "loss " + h.get(0).trainLoss() + " -> " + h.get(29).trainLoss());
  }

  @Test
  void fit_localStepsKilledAfterCheckpointAndResumed_equalsUninterruptedRun() {
    Momentum momentum = new Momentum(new StepSpec(0.05,
        new Schedule(Schedule.Kind.COSINE, 1, 1.0, 0.001, 2), 24, 1.0, 1e-3, 3), 0.9, true);
    TrainConfig cfg = new TrainConfig(TrainerTest.SPEC, momentum, 9, 5, EarlyStopping.OFF, 3);
    Trainer.Result whole = new Trainer(cfg).fit(partitioned(), null, TrainerTest.init(), null);
    List<Checkpoint> saved = new ArrayList<>();
    RuntimeException kill = new RuntimeException("killed");
    assertThrows(RuntimeException.class, () -> new Trainer(cfg).fit(partitioned(), null,
        TrainerTest.init(), e -> {
          if (e.epoch() == 7) {
            throw kill;
          }
        }, saved::add, null));
    assertEquals(6, saved.get(saved.size() - 1).epoch());
    Trainer.Result resumed = new Trainer(cfg).fit(partitioned(), null,
        new double[TrainerTest.SPEC.numParams()], null, null, saved.get(saved.size() - 1));
    assertArrayEquals(whole.params(), resumed.params(), 0.0);
    assertEquals(whole.history().get(8).trainLoss(), resumed.history().get(8).trainLoss(), 0.0);
  }

  @Test
  void stepSpec_localStepsWithoutMiniBatches_rejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new StepSpec(0.1, Schedule.constant(), 0, 0.0, 0.0, 4));
    assertTrue(e.getMessage().contains("local steps (4) need mini-batches"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new StepSpec(0.1, Schedule.constant(), 8, 0.0, 0.0, 0));
  }
}
