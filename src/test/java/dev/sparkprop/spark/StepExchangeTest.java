package dev.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Init;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.optim.Adam;
import dev.sparkprop.optim.OptimizerSpec;
import dev.sparkprop.optim.Schedule;
import dev.sparkprop.optim.StepSpec;
import dev.sparkprop.train.EarlyStopping;
import dev.sparkprop.train.LocalObjective;
import dev.sparkprop.train.TrainConfig;
import dev.sparkprop.train.Trainer;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An epoch's steps in one Spark job ({@link StepExchange}), in-JVM and over sockets, against
 * one job per step (local property {@code spark.sparkprop.stepExchange=jobs}): the same model
 * bit for bit, synchronous and local SGD, also when a task is lost in the middle of an epoch;
 * and the single-JVM model within rounding.
 */
class StepExchangeTest {
  private static SparkSession spark;
  private static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("StepExchangeTest");
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @AfterEach
  void reset() {
    StepExchange.FAIL_AT_BATCH.set(-1);
    sc.setLocalProperty(SparkObjective.EXCHANGE_KEY, null);
  }

  /** The mini-batch tests' network and 300 rows in 7 uneven blocks. */
  private static final NetworkSpec SPEC = SparkMiniBatchTest.SPEC;

  private static List<Block> blocks() {
    return SparkMiniBatchTest.blocks();
  }

  private static Adam adam(int localSteps) {
    return new Adam(new StepSpec(0.01, Schedule.constant(), 40, 1.0, 1e-4, localSteps), 0.9,
        0.999, 1e-8);
  }

  /** A fit on {@code partitions} partitions; {@code epochsExchanged[0]} gets the count. */
  private static Trainer.Result fit(OptimizerSpec optimizer, int partitions, String mode,
      int[] epochsExchanged) {
    sc.setLocalProperty(SparkObjective.EXCHANGE_KEY, mode);
    TrainConfig config = new TrainConfig(SPEC, optimizer, 3, 17, EarlyStopping.OFF, 3);
    try (SparkObjective objective = new SparkObjective(sc.parallelize(blocks(), partitions),
        SPEC, 2)) {
      Trainer.Result r = new Trainer(config).fit(objective, null, Init.AUTO.initialize(SPEC, 4),
          null);
      epochsExchanged[0] = objective.exchangedEpochs;
      return r;
    }
  }

  @Test
  void fit_adamMiniBatches_exchangeEqualsJobsBitForBitAndLocalWithin1e12() {
    int[] exchanged = new int[1];
    Trainer.Result viaExchange = fit(adam(1), 2, "auto", exchanged);
    assertEquals(3, exchanged[0], "epochs in the exchange");
    Trainer.Result viaJobs = fit(adam(1), 2, "jobs", exchanged);
    assertEquals(0, exchanged[0]);
    assertArrayEquals(viaJobs.params(), viaExchange.params(), 0.0);
    assertEquals(viaJobs.history().get(2).trainLoss(), viaExchange.history().get(2).trainLoss(),
        0.0);
    assertEquals(viaJobs.history().get(2).steps(), viaExchange.history().get(2).steps());
    TrainConfig config = new TrainConfig(SPEC, adam(1), 3, 17, EarlyStopping.OFF, 3);
    double[] local = new Trainer(config).fit(new LocalObjective(new Network(SPEC), blocks()),
        null, Init.AUTO.initialize(SPEC, 4), null).params();
    assertArrayEquals(local, viaExchange.params(), 1e-12);
  }

  @Test
  void fit_adamMiniBatchesAndLocalSteps_socketsEqualInJvmBitForBit() {
    int[] exchanged = new int[1];
    for (int k : new int[] {1, 3}) {
      Trainer.Result inJvm = fit(adam(k), 2, "auto", exchanged);
      Trainer.Result sockets = fit(adam(k), 2, "sockets", exchanged);
      assertEquals(3, exchanged[0], "epochs in the exchange");
      assertArrayEquals(inJvm.params(), sockets.params(), 0.0, "local steps " + k);
    }
  }

  @Test
  void fit_adamThreeLocalSteps_exchangeEqualsJobsBitForBitAndLocalPartitionsWithin1e12() {
    int[] exchanged = new int[1];
    Trainer.Result viaExchange = fit(adam(3), 2, "auto", exchanged);
    assertEquals(3, exchanged[0], "epochs in the exchange");
    Trainer.Result viaJobs = fit(adam(3), 2, "jobs", exchanged);
    assertArrayEquals(viaJobs.params(), viaExchange.params(), 0.0);
    assertEquals(viaJobs.history().get(2).trainLoss(), viaExchange.history().get(2).trainLoss(),
        0.0);
    // sc.parallelize's slices of 7 blocks into 2 partitions: [0, 3), [3, 7)
    List<Block> b = blocks();
    TrainConfig config = new TrainConfig(SPEC, adam(3), 3, 17, EarlyStopping.OFF, 3);
    double[] local = new Trainer(config).fit(LocalObjective.partitioned(new Network(SPEC),
        List.of(b.subList(0, 3), b.subList(3, 7))), null, Init.AUTO.initialize(SPEC, 4), null)
        .params();
    assertArrayEquals(local, viaExchange.params(), 1e-12);
  }

  @Test
  void fit_taskLostMidEpoch_epochGoesOnAsJobsWithTheSameModel() {
    int[] exchanged = new int[1];
    Trainer.Result viaJobs = fit(adam(1), 2, "jobs", exchanged);
    StepExchange.FAIL_AT_BATCH.set(2);
    Trainer.Result lossy = fit(adam(1), 2, "auto", exchanged);
    assertEquals(3, exchanged[0], "every epoch began in the exchange");
    assertArrayEquals(viaJobs.params(), lossy.params(), 0.0);
    Trainer.Result lossySockets = fit(adam(1), 2, "sockets", exchanged);
    assertArrayEquals(viaJobs.params(), lossySockets.params(), 0.0);
    StepExchange.FAIL_AT_BATCH.set(3);
    Trainer.Result lossyRounds = fit(adam(3), 2, "auto", exchanged);
    assertArrayEquals(fit(adam(3), 2, "jobs", exchanged).params(), lossyRounds.params(), 0.0);
    assertArrayEquals(lossyRounds.params(), fit(adam(3), 2, "sockets", exchanged).params(), 0.0);
    assertEquals(0, sc.statusTracker().getActiveJobIds().length, "no job left running");
  }

  @Test
  void fit_twoFitsAtOnceOnTwoSlots_takeTurnsAndEachGetsItsOwnModel() throws Exception {
    // CrossValidator with parallelism 2 does this: two barrier jobs that each need every slot.
    int[] exchanged = new int[1];
    double[] alone = fit(adam(1), 2, "auto", exchanged).params();
    double[] aloneRounds = fit(adam(3), 2, "auto", exchanged).params();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      java.util.concurrent.Future<double[]> a = pool.submit(
          () -> fit(adam(1), 2, "auto", new int[1]).params());
      java.util.concurrent.Future<double[]> b = pool.submit(
          () -> fit(adam(3), 2, "auto", new int[1]).params());
      assertArrayEquals(alone, a.get(120, java.util.concurrent.TimeUnit.SECONDS), 0.0);
      assertArrayEquals(aloneRounds, b.get(120, java.util.concurrent.TimeUnit.SECONDS), 0.0);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void exchangeOff_morePartitionsThanSlotsOrJobs_saysWhyAndStepsAsJobs() {
    try (SparkObjective objective = new SparkObjective(sc.parallelize(blocks(), 3), SPEC, 2)) {
      String why = objective.exchangeOff();
      assertTrue(why.contains("3 partitions") && why.contains("2 task slots"), why);
    }
    try (SparkObjective objective = new SparkObjective(sc.parallelize(blocks(), 2), SPEC, 2)) {
      assertNull(objective.exchangeOff());
      sc.setLocalProperty(SparkObjective.EXCHANGE_KEY, "jobs");
      assertEquals(SparkObjective.EXCHANGE_KEY + "=jobs", objective.exchangeOff());
      sc.setLocalProperty(SparkObjective.EXCHANGE_KEY, "udp");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          objective::exchangeOff);
      assertTrue(e.getMessage().contains(SparkObjective.EXCHANGE_KEY)
          && e.getMessage().contains("udp"), e.getMessage());
    }
  }
}
