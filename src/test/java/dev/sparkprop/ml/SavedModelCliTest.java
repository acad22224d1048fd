package dev.sparkprop.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.spark.SparkTestSession;
import dev.sparkprop.testing.Cli;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model saved by the Spark ML API is a sparkprop model directory too: the command line's
 * {@code predict} and {@code inspect} read it and predict what {@code transform} predicted.
 * (The CLI runs in-process and stops the session it finds, so the sessions here are short.)
 */
class SavedModelCliTest {
  @TempDir
  Path tmp;

  @Test
  void savedClassificationModel_cliPredict_givesTheSameProbabilities() throws Exception {
    String model = tmp.resolve("model").toString();
    String input = tmp.resolve("input.parquet").toString();
    String output = tmp.resolve("predictions").toString();
    List<Row> expected;
    SparkSession spark = SparkTestSession.start("SavedModelCliTest-fit");
    try {
      Dataset<Row> digits = spark.read().parquet("src/data/digits.parquet").limit(300);
      String[] pixels = Arrays.stream(digits.columns()).filter(c -> !c.equals("label"))
          .toArray(String[]::new);
      Dataset<Row> data = new VectorAssembler().setInputCols(pixels).setOutputCol("features")
          .transform(digits).select("features", "label");
      data.write().parquet(input);
      SparkpropClassificationModel fitted = new SparkpropClassifier().setHiddenLayers(
          new int[] {16}).setSolver("adam").setStepSize(0.03).setBatchSize(0).setMaxIter(10)
          .fit(data);
      fitted.write().save(model);
      expected = fitted.transform(spark.read().parquet(input)).select("probability")
          .collectAsList();
    } finally {
      spark.stop();
    }

    Cli.Run inspect = Cli.run("inspect", "--model", model);
    assertEquals(0, inspect.code(), inspect.out() + inspect.err());
    assertTrue(inspect.out().contains("parameters 1,210"), inspect.out());
    Cli.Run predict = Cli.run("predict", "--model", model, "--input", input, "--output", output);
    assertEquals(0, predict.code(), predict.out() + predict.err());
    assertTrue(predict.out().contains("wrote 300 predictions"), predict.out());

    spark = SparkTestSession.start("SavedModelCliTest-read");
    try {
      List<Row> cli = spark.read().parquet(output).select("probability").collectAsList();
      assertEquals(expected.size(), cli.size());
      for (int i = 0; i < cli.size(); i++) {
        // Same JVM, same BLAS, same blocks of rows: the same bits.
        assertArrayEquals(((Vector) expected.get(i).get(0)).toArray(),
            ((Vector) cli.get(i).get(0)).toArray(), 0.0, "row " + i);
      }
    } finally {
      spark.stop();
    }
  }
}
