package dev.sparkprop.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.spark.SparkTestSession;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** checkpointDir: a fit that finds its own checkpoint goes on from it, exactly. */
class EstimatorCheckpointTest {
  static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start("EstimatorCheckpointTest");
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static SparkpropClassifier adam(int epochs) {
    return new SparkpropClassifier().setHiddenLayers(new int[] {8}).setSolver("adam")
        .setStepSize(0.01).setBatchSize(32).setMaxIter(epochs).setSeed(5);
  }

  @Test
  void fit_withItsOwnCheckpoint_continuesToTheUninterruptedModel() {
    Dataset<Row> data = EstimatorBadInputTest.data();
    String dir = tmp.resolve("ckpt").toString();
    SparkpropClassificationModel first = adam(3).setCheckpointDir(dir).setCheckpointInterval(1)
        .fit(data);
    assertEquals(3, first.trainedModel().history().size());
    SparkpropClassificationModel resumed = adam(6).setCheckpointDir(dir).fit(data);
    SparkpropClassificationModel straight = adam(6).fit(data);
    assertEquals(6, resumed.trainedModel().history().size());
    for (int e = 0; e < 3; e++) {
      // The first three epochs come from the checkpoint, wall times and all: not trained again.
      assertEquals(first.trainedModel().history().get(e),
          resumed.trainedModel().history().get(e), "epoch " + (e + 1));
    }
    // Same seed, same batches, Adam's moments restored: the same bits (same JVM and BLAS).
    assertArrayEquals(straight.weights().toArray(), resumed.weights().toArray(), 0.0);
  }

  @Test
  void fit_withAnotherFitsCheckpoint_isRefused() {
    Dataset<Row> data = EstimatorBadInputTest.data();
    String dir = tmp.resolve("other").toString();
    adam(2).setCheckpointDir(dir).fit(data);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> adam(4).setStepSize(0.5).setCheckpointDir(dir).fit(data));
    assertTrue(e.getMessage().contains("checkpointDir") && e.getMessage().contains("other"),
        e.getMessage());
  }
}
