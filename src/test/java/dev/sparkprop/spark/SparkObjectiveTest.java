package dev.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Init;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.nn.Precision;
import dev.sparkprop.nn.Workspace;
import dev.sparkprop.optim.GradientDescent;
import dev.sparkprop.train.LocalObjective;
import dev.sparkprop.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Spark gradient equals the single-JVM gradient; a Spark training run equals a local one. */
class SparkObjectiveTest {
  private static SparkSession spark;
  private static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("SparkObjectiveTest");
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** Uneven blocks (37, 5, 64, 1, 20, 13 rows) of a 6-feature, 3-class problem. */
  private static List<Block> blocks() {
    Random random = new Random(99);
    List<Block> blocks = new ArrayList<>();
    for (int rows : new int[] {37, 5, 64, 1, 20, 13}) {
      double[][] x = new double[rows][6];
      double[][] y = new double[rows][1];
      for (int r = 0; r < rows; r++) {
        for (int f = 0; f < 6; f++) {
          x[r][f] = random.nextGaussian();
        }
        y[r][0] = (x[r][0] + x[r][1] > 0 ? 1 : 0) + (x[r][2] > 1 ? 1 : 0);
      }
      blocks.add(Block.ofRows(x, y));
    }
    return blocks;
  }

  private static final NetworkSpec SPEC = NetworkSpec.of(new int[] {6, 8, 5, 3},
      Activation.TANH, Activation.SOFTMAX, Loss.CROSS_ENTROPY);

  /**
   * In float32 too: each block's float gradient depends only on the block and the parameters,
   * and the sums over blocks are double, so Spark equals local as tightly as in float64.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Precision.class)
  void lossAndGradient_threePartitionsUnevenBlocks_equalsLocalWithin1e12(Precision precision) {
    List<Block> blocks = blocks().stream().map(b -> b.to(precision)).toList();
    double[] params = Init.AUTO.initialize(SPEC, 1);
    double[] local = new double[params.length];
    double localLoss = new LocalObjective(new Network(SPEC), blocks).lossAndGradient(params, local);

    JavaRDD<Block> rdd = sc.parallelize(blocks, 3);
    assertEquals(3, rdd.getNumPartitions());
    double[] distributed = new double[params.length];
    try (SparkObjective objective = new SparkObjective(rdd, SPEC, 2)) {
      assertEquals(140, objective.numRows());
      double loss = objective.lossAndGradient(params, distributed);
      assertEquals(localLoss, loss, 1e-12 * Math.abs(localLoss));
      assertEquals(localLoss, objective.loss(params), 1e-12 * Math.abs(localLoss));
    }
    double norm = 0;
    for (double g : local) {
      norm = Math.max(norm, Math.abs(g));
    }
    assertTrue(norm > 1e-3, "gradient is not trivially zero");
    for (int i = 0; i < local.length; i++) {
      assertEquals(local[i], distributed[i], 1e-12 * Math.max(Math.abs(local[i]), 1e-3 * norm),
          "parameter " + i);
    }
  }

  /**
   * Eight partitions for six blocks (two empty): treeAggregate's tree path, which the
   * three-partition test above does not take.
   */
  @Test
  void lossAndGradient_eightPartitionsTreePath_equalsLocalWithin1e12() {
    assertTrue(SparkObjective.treeAddsLevel(8, 2));
    double[] params = Init.AUTO.initialize(SPEC, 3);
    double[] local = new double[params.length];
    double localLoss = new LocalObjective(new Network(SPEC), blocks())
        .lossAndGradient(params, local);
    double[] distributed = new double[params.length];
    try (SparkObjective objective = new SparkObjective(sc.parallelize(blocks(), 8), SPEC, 2)) {
      assertEquals(localLoss, objective.lossAndGradient(params, distributed),
          1e-12 * Math.abs(localLoss));
    }
    for (int i = 0; i < local.length; i++) {
      assertEquals(local[i], distributed[i], 1e-12 * Math.max(Math.abs(local[i]), 1e-3),
          "parameter " + i);
    }
  }

  /**
   * Without a tree (up to 5 partitions at depth 2) the partitions' sums are merged in partition
   * order, whichever task finishes first: the gradient is exactly each partition's block sums
   * added up in that order, so a run repeats to the bit.
   */
  @Test
  void lossAndGradient_fewPartitions_mergedInPartitionOrderExactly() {
    assertFalse(SparkObjective.treeAddsLevel(5, 2));
    JavaRDD<Block> rdd = sc.parallelize(blocks(), 5);
    double[] params = Init.AUTO.initialize(SPEC, 5);
    Network network = new Network(SPEC);
    double[] total = null;
    double loss = 0;
    long rows = 0;
    for (List<Block> partition : rdd.glom().collect()) {
      double[] sum = new double[params.length];
      double partitionLoss = 0;
      for (Block b : partition) {
        partitionLoss += network.lossAndGradient(params, b, new Workspace(SPEC, b.rows), sum);
        rows += b.rows;
      }
      loss += partitionLoss;
      if (total == null) {
        total = sum;
      } else {
        for (int i = 0; i < sum.length; i++) {
          total[i] += sum[i];
        }
      }
    }
    double[] expected = new double[params.length];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = total[i] * (1.0 / rows);
    }
    try (SparkObjective objective = new SparkObjective(rdd, SPEC, 2)) {
      for (int run = 0; run < 3; run++) {
        double[] g = new double[params.length];
        assertEquals(loss / rows, objective.lossAndGradient(params, g), 0.0);
        assertArrayEquals(expected, g, 0.0, "run " + run);
      }
    }
  }

  /** Spark's rule (RDD.treeAggregate) for when a tree level pays. */
  @Test
  void treeAddsLevel_followsSparksRule() {
    for (int n = 1; n <= 5; n++) {
      assertFalse(SparkObjective.treeAddsLevel(n, 2), n + " partitions");
    }
    assertTrue(SparkObjective.treeAddsLevel(6, 2));
    assertTrue(SparkObjective.treeAddsLevel(200, 2));
    assertFalse(SparkObjective.treeAddsLevel(200, 1));
    assertTrue(SparkObjective.treeAddsLevel(200, 3));
    assertFalse(SparkObjective.treeAddsLevel(4, 3));
  }

  @Test
  void fit_sparkVersusLocalSameSeed_sameModelWithin1e9() {
    List<Block> blocks = blocks();
    double[] init = Init.AUTO.initialize(SPEC, 42);
    Trainer trainer = new Trainer(new GradientDescent(0.5), 30);
    double[] local = trainer.fit(new LocalObjective(new Network(SPEC), blocks), null, init, null)
        .params();
    double[] distributed;
    try (SparkObjective objective = new SparkObjective(sc.parallelize(blocks, 4), SPEC, 3)) {
      distributed = trainer.fit(objective, null, init, null).params();
    }
    for (int i = 0; i < local.length; i++) {
      assertEquals(local[i], distributed[i], 1e-9, "parameter " + i);
    }
  }

  /**
   * Same seed, same float32 model: two Spark runs agree to the bit (4 partitions: merged in
   * partition order), and the model is a float32 one, not the float64 one (it differs from that
   * by more than float rounding).
   */
  @Test
  void fit_float32SameSeedTwice_sameModel() {
    List<Block> blocks = blocks().stream().map(b -> b.to(Precision.FLOAT32)).toList();
    double[] init = Init.AUTO.initialize(SPEC, 42);
    Trainer trainer = new Trainer(new GradientDescent(0.5), 30);
    double[][] runs = new double[2][];
    for (int r = 0; r < 2; r++) {
      try (SparkObjective objective = new SparkObjective(sc.parallelize(blocks, 4), SPEC, 3)) {
        runs[r] = trainer.fit(objective, null, init, null).params();
      }
    }
    double[] float64 = trainer.fit(new LocalObjective(new Network(SPEC), blocks().stream()
        .map(b -> b.to(Precision.FLOAT32).to(Precision.FLOAT64)).toList()), null, init, null)
        .params();
    double differs = 0;
    for (int i = 0; i < init.length; i++) {
      assertEquals(runs[0][i], runs[1][i], 0.0, "parameter " + i);
      differs = Math.max(differs, Math.abs(runs[0][i] - float64[i]));
    }
    assertTrue(differs > 1e-9 && differs < 1e-3, "float32 vs float64 model: " + differs);
  }

  @Test
  void close_callerPersistedBlocks_leftPersisted() {
    JavaRDD<Block> mine = sc.parallelize(blocks(), 3);
    try (SparkObjective objective = new SparkObjective(mine, SPEC, 2)) {
      assertEquals(StorageLevel.MEMORY_AND_DISK(), objective.blocks().getStorageLevel());
    }
    assertEquals(StorageLevel.NONE(), mine.getStorageLevel());

    JavaRDD<Block> theirs = sc.parallelize(blocks(), 3).persist(StorageLevel.MEMORY_ONLY());
    try (SparkObjective objective = new SparkObjective(theirs, SPEC, 2)) {
      objective.loss(Init.AUTO.initialize(SPEC, 1));
    }
    assertEquals(StorageLevel.MEMORY_ONLY(), theirs.getStorageLevel());
    theirs.unpersist(true);
  }
}
