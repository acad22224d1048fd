package dev.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Init;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.optim.Adam;
import dev.sparkprop.optim.Schedule;
import dev.sparkprop.optim.StepSpec;
import dev.sparkprop.train.Batch;
import dev.sparkprop.train.EarlyStopping;
import dev.sparkprop.train.LocalObjective;
import dev.sparkprop.train.Objective;
import dev.sparkprop.train.TrainConfig;
import dev.sparkprop.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mini-batch steps on Spark: the gradient of one batch equals the single-JVM one whatever the
 * partitioning, and a mini-batch Adam run on Spark ends with the local run's model.
 */
class SparkMiniBatchTest {
  private static SparkSession spark;
  private static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("SparkMiniBatchTest");
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static final NetworkSpec SPEC = NetworkSpec.of(new int[] {6, 8, 3},
      Activation.TANH, Activation.SOFTMAX, Loss.CROSS_ENTROPY);

  /** 300 rows of a 3-class problem in uneven blocks, row ids in input order. */
  static List<Block> blocks() {
    Random random = new Random(5);
    List<Block> blocks = new ArrayList<>();
    long id = 0;
    for (int rows : new int[] {50, 7, 64, 64, 1, 50, 64}) {
      double[][] x = new double[rows][6];
      double[][] y = new double[rows][1];
      long[] ids = new long[rows];
      for (int r = 0; r < rows; r++) {
        for (int f = 0; f < 6; f++) {
          x[r][f] = random.nextGaussian();
        }
        y[r][0] = (x[r][0] + x[r][1] > 0 ? 1 : 0) + (x[r][2] > 1 ? 1 : 0);
        ids[r] = id++;
      }
      Block b = Block.ofRows(x, y);
      blocks.add(new Block(b.rows, b.features, b.x, b.targetWidth, b.y, ids));
    }
    return blocks;
  }

  @Test
  void lossAndGradient_oneBatchOnOneOrFivePartitions_equalsLocalWithin1e12() {
    List<Block> blocks = blocks();
    double[] params = Init.AUTO.initialize(SPEC, 1);
    Batch batch = new Batch(Batch.epochSeed(3, 2), 1, Batch.count(300, 64));
    double[] local = new double[params.length];
    Objective.BatchLoss localLoss = new LocalObjective(new Network(SPEC), blocks)
        .lossAndGradient(params, batch, local);
    assertTrue(localLoss.rows() > 30 && localLoss.rows() < 100, "rows " + localLoss.rows());
    for (int partitions : new int[] {1, 5}) {
      double[] distributed = new double[params.length];
      try (SparkObjective objective = new SparkObjective(sc.parallelize(blocks, partitions),
          SPEC, 2)) {
        Objective.BatchLoss loss = objective.lossAndGradient(params, batch, distributed);
        assertEquals(localLoss.rows(), loss.rows());
        assertEquals(localLoss.loss(), loss.loss(), 1e-12 * Math.abs(localLoss.loss()));
      }
      for (int i = 0; i < local.length; i++) {
        assertEquals(local[i], distributed[i], 1e-12 * Math.max(1e-3, Math.abs(local[i])),
            partitions + " partitions, parameter " + i);
      }
    }
  }

  @Test
  void fit_adamMiniBatchesSparkVersusLocal_sameModelWithin1e12() {
    Adam adam = new Adam(new StepSpec(0.01, Schedule.constant(), 40, 0.0, 1e-4), 0.9, 0.999,
        1e-8);
    TrainConfig config = new TrainConfig(SPEC, adam, 4, 17, EarlyStopping.OFF, 4);
    double[] init = Init.AUTO.initialize(SPEC, 4);
    double[] local = new Trainer(config).fit(new LocalObjective(new Network(SPEC), blocks()),
        null, init, null).params();
    double[] distributed;
    try (SparkObjective objective = new SparkObjective(sc.parallelize(blocks(), 3), SPEC, 2)) {
      distributed = new Trainer(config).fit(objective, null, init, null).params();
    }
    assertArrayEquals(local, distributed, 1e-12);
  }

  @Test
  void fit_sameSeedAndInputTwiceOnFourPartitions_sameModelWithin1e12() {
    Adam adam = new Adam(new StepSpec(0.02, Schedule.constant(), 32, 1.0, 0.0), 0.9, 0.999,
        1e-8);
    TrainConfig config = new TrainConfig(SPEC, adam, 3, 99, EarlyStopping.OFF, 3);
    double[] init = Init.AUTO.initialize(SPEC, 6);
    double[][] runs = new double[2][];
    for (int run = 0; run < 2; run++) {
      try (SparkObjective objective = new SparkObjective(sc.parallelize(blocks(), 4), SPEC, 2)) {
        runs[run] = new Trainer(config).fit(objective, null, init, null).params();
      }
    }
    assertArrayEquals(runs[0], runs[1], 1e-12);
  }

  @Test
  void fit_adamLocalStepsSparkVersusLocalPartitions_sameModelWithin1e12() {
    Adam adam = new Adam(new StepSpec(0.01, Schedule.constant(), 40, 1.0, 1e-4, 3), 0.9, 0.999,
        1e-8);
    TrainConfig config = new TrainConfig(SPEC, adam, 3, 17, EarlyStopping.OFF, 3);
    double[] init = Init.AUTO.initialize(SPEC, 4);
    List<Block> b = blocks();
    // sc.parallelize's slices of 7 blocks into 3 partitions: [0, 2), [2, 4), [4, 7)
    Trainer.Result local = new Trainer(config).fit(LocalObjective.partitioned(new Network(SPEC),
        List.of(b.subList(0, 2), b.subList(2, 4), b.subList(4, 7))), null, init, null);
    Trainer.Result distributed;
    try (SparkObjective objective = new SparkObjective(sc.parallelize(blocks(), 3), SPEC, 2)) {
      distributed = new Trainer(config).fit(objective, null, init, null);
    }
    assertArrayEquals(local.params(), distributed.params(), 1e-12);
    assertEquals(local.history().get(2).trainLoss(), distributed.history().get(2).trainLoss(),
        1e-12);
    double moved = 0;
    for (int i = 0; i < init.length; i++) {
      moved = Math.max(moved, Math.abs(init[i] - local.params()[i]));
    }
    assertTrue(moved > 0.01, "moved " + moved);
  }
}
