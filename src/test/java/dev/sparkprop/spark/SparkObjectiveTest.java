package dev.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Init;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.nn.Precision;
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
   * Same seed, same float32 model: two Spark runs agree within 1e-12 (the double sums may merge
   * partitions in another order, an ulp; narrowing that to float changes a parameter only when
   * it sits on a float rounding boundary), and the model is a float32 one, not the float64 one
   * (it differs from that by more than float rounding).
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
      assertEquals(runs[0][i], runs[1][i], 1e-12, "parameter " + i);
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
