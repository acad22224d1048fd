package dev.sparkprop.cli;

import static dev.sparkprop.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.io.ModelStore;
import dev.sparkprop.testing.Cli;
import dev.sparkprop.spark.SparkTestSession;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The input forms of the README: features from an ml Vector column, an array&lt;float&gt;
 * column or numeric columns; labels numeric, integer classes or an array (multi-output).
 * Each data set is a noiseless function, so a correct pipeline fits it almost exactly.
 */
class InputFormsTest {
  @TempDir
  static Path tmp;
  static SparkSession spark;

  @BeforeAll
  static void data() {
    spark = SparkTestSession.start("InputFormsTest");
    // 400 rows, a = sin-ish pseudo random inputs from the row id (deterministic).
    spark.sql("SELECT id, CAST(id * 7919 % 1000 AS DOUBLE) / 500 - 1 AS a, "
        + "CAST(id * 104729 % 1000 AS DOUBLE) / 500 - 1 AS b, "
        + "CAST(id * 15485863 % 1000 AS DOUBLE) / 500 - 1 AS c FROM range(400)")
        .createOrReplaceTempView("base");
    spark.sql("SELECT array(a, b, c) AS v, 3 * a - 2 * b + c + 10 AS y FROM base")
        .withColumn("v", org.apache.spark.ml.functions.array_to_vector(
            org.apache.spark.sql.functions.col("v")))
        .coalesce(3).write().parquet(tmp.resolve("vector.parquet").toString());
    spark.sql("SELECT CAST(array(a, b, c) AS array<float>) AS f, "
        + "CAST(CASE WHEN a + b > 0.5 THEN 2 WHEN a - c > 0 THEN 1 ELSE 0 END AS INT) AS k "
        + "FROM base").coalesce(2).write().parquet(tmp.resolve("floats.parquet").toString());
    spark.sql("SELECT a, b, c, array(a + b, 2 * c - a) AS ys FROM base").coalesce(2).write()
        .parquet(tmp.resolve("multi.parquet").toString());
    // The same two outputs as separate numeric columns, rows and partitions as multi.parquet.
    spark.sql("SELECT a, b, c, a + b AS y1, 2 * c - a AS y2 FROM base").coalesce(2).write()
        .parquet(tmp.resolve("multi-columns.parquet").toString());
    // A 0/1 label stored as double, and a whole-number label with a negative value.
    spark.sql("SELECT a, b, c, CAST(CASE WHEN a + b > 0 THEN 1 ELSE 0 END AS DOUBLE) AS y "
        + "FROM base").coalesce(2).write().parquet(tmp.resolve("binary-double.parquet")
        .toString());
    spark.sql("SELECT a, b, c, CAST(CASE WHEN a + b > 0 THEN 1 ELSE -1 END AS INT) AS y "
        + "FROM base").coalesce(2).write().parquet(tmp.resolve("signed-int.parquet")
        .toString());
    // JSON lines in a directory whose name says nothing of the format.
    spark.sql("SELECT a, b, c, 3 * a - 2 * b + c + 10 AS y FROM base").coalesce(2).write()
        .json(tmp.resolve("linear.records").toString());
    spark.sql("SELECT a, b, c, 5.0 AS y FROM base").coalesce(2).write()
        .parquet(tmp.resolve("constant.parquet").toString());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static double metric(String out, String name) {
    return Double.parseDouble(out.lines().filter(l -> l.startsWith(name + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in:\n" + out))
        .substring(name.length()).trim());
  }

  private static double[] trainParams(String input, String label, Path model)
      throws java.io.IOException {
    Cli.Run t = run("train", "input=" + input, "label=" + label, "network.hidden=[4]",
        "epochs=5", "output=" + model);
    assertEquals(0, t.code(), t.err());
    return ModelStore.load(model).params();
  }

  @Test
  void train_labelListOfColumns_sameModelAsArrayLabel() throws java.io.IOException {
    Path columnsModel = tmp.resolve("multi-columns-model");
    double[] fromColumns = trainParams(tmp.resolve("multi-columns.parquet").toString(),
        "[y1, y2]", columnsModel);
    double[] fromArray = trainParams(tmp.resolve("multi.parquet").toString(), "ys",
        tmp.resolve("multi-array-model"));
    org.junit.jupiter.api.Assertions.assertArrayEquals(fromArray, fromColumns,
        "the label [y1, y2] is the array label ys = array(y1, y2), output for output");
    java.util.Map<String, Object> metadata = ModelStore.load(columnsModel).metadata();
    org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {3, 4, 2},
        ModelStore.load(columnsModel).spec().sizes());
    assertEquals(java.util.Map.of("column", "y1", "columns", List.of("y1", "y2"), "kind",
        "values"), metadata.get("label"));

    Cli.Run e = run("evaluate", "--model", columnsModel.toString(), "--input",
        tmp.resolve("multi-columns.parquet").toString());
    assertEquals(0, e.code(), e.err());
    Path predictions = tmp.resolve("multi-columns-predictions");
    Cli.Run p = run("predict", "--model", columnsModel.toString(), "--input",
        tmp.resolve("multi-columns.parquet").toString(), "--output", predictions.toString());
    assertEquals(0, p.code(), p.err());
    // The commands stopped the shared session (they stop theirs); read with a new one.
    SparkSession reader = SparkTestSession.start("InputFormsTest-read");
    try {
      Row first = reader.read().parquet(predictions.toString()).first();
      assertEquals(2, ((Vector) first.getAs("prediction")).size());
    } finally {
      reader.stop();
    }
  }

  @Test
  void train_labelListWithStringColumn_exitsInputNamingColumn() {
    Cli.Run t = run("train", "input=" + tmp.resolve("multi.parquet"), "features=[b, c]",
        "label=[a, ys]", "output=" + tmp.resolve("bad-multi"));
    assertEquals(ExitCode.INPUT.code, t.code(), t.err());
    assertTrue(t.errLine().contains("label column 'ys' has type array<double>; a label of "
        + "several columns needs numeric columns"), t.errLine());
  }

  @SuppressWarnings("unchecked")
  private static String autoTask(String input, Path model) throws java.io.IOException {
    Cli.Run t = run("train", "input=" + input, "label=y", "network.hidden=[]", "epochs=2",
        "output=" + model);
    assertEquals(0, t.code(), t.err());
    return (String) ModelStore.load(model).metadata().get("task");
  }

  @Test
  void train_autoTaskDoubleZeroOneLabel_classification() throws java.io.IOException {
    assertEquals("classification", autoTask(tmp.resolve("binary-double.parquet").toString(),
        tmp.resolve("auto-binary")));
  }

  @Test
  void train_autoTaskNegativeWholeNumbers_regression() throws java.io.IOException {
    // Classes are 0..K-1: a label holding -1 is not a class index.
    assertEquals("regression", autoTask(tmp.resolve("signed-int.parquet").toString(),
        tmp.resolve("auto-signed")));
  }

  @Test
  void train_vectorFeaturesNumericLabel_linearFitIsExact() {
    Path model = tmp.resolve("vector-model");
    Cli.Run t = run("train", "input=" + tmp.resolve("vector.parquet"), "features=v",
        "label=y", "network.hidden=[]", "optimizer.learning-rate=0.9", "epochs=60",
        "output=" + model);
    assertEquals(0, t.code(), t.err());
    Cli.Run e = run("evaluate", "--model", model.toString(), "--input",
        tmp.resolve("vector.parquet").toString());
    assertEquals(0, e.code(), e.err());
    assertTrue(metric(e.out(), "r2") > 0.9999, e.out());
    assertTrue(metric(e.out(), "rmse") < 0.02, e.out());
  }

  @Test
  void train_explicitJsonFormat_readsJsonLinesWithoutExtension() {
    Path model = tmp.resolve("json-model");
    Cli.Run t = run("train", "input=" + tmp.resolve("linear.records"), "input-format=json",
        "features=[a, b, c]", "label=y", "network.hidden=[]", "optimizer.learning-rate=0.9",
        "epochs=60", "output=" + model);
    assertEquals(0, t.code(), t.err());
    Cli.Run e = run("evaluate", "--model", model.toString(), "--input",
        tmp.resolve("linear.records").toString(), "--input-format", "json");
    assertEquals(0, e.code(), e.err());
    assertTrue(metric(e.out(), "r2") > 0.9999, e.out());
  }

  @Test
  void train_constantLabel_savesModelWithNullR2() throws Exception {
    Path model = tmp.resolve("constant-model");
    Cli.Run t = run("train", "input=" + tmp.resolve("constant.parquet"), "features=[a, b, c]",
        "label=y", "network.hidden=[]", "epochs=5", "test-fraction=0.25",
        "validation-fraction=0.25", "output=" + model);
    assertEquals(0, t.code(), t.err());
    @SuppressWarnings("unchecked")
    java.util.Map<String, Object> training =
        (java.util.Map<String, Object>) ModelStore.load(model).metadata().get("training");
    @SuppressWarnings("unchecked")
    java.util.Map<String, Object> test = (java.util.Map<String, Object>) training.get("test");
    assertTrue(test.containsKey("r2") && test.get("r2") == null, test.toString());
    assertTrue(test.get("rmse") instanceof Double, test.toString());
  }

  @Test
  void train_floatArrayFeaturesIntegerClasses_learnsTheRule() throws Exception {
    Path model = tmp.resolve("floats-model");
    Cli.Run t = run("train", "input=" + tmp.resolve("floats.parquet"), "features=f",
        "label=k", "network.hidden=[16]", "network.hidden-activation=tanh",
        "optimizer.learning-rate=2.0", "epochs=150", "output=" + model);
    assertEquals(0, t.code(), t.err());
    assertEquals("classification", ModelStore.load(model).task());
    assertEquals(3, ModelStore.load(model).spec().outputSize());
    Cli.Run e = run("evaluate", "--model", model.toString(), "--input",
        tmp.resolve("floats.parquet").toString());
    assertTrue(metric(e.out(), "accuracy") > 0.93, e.out());
  }

  @Test
  void trainPredict_arrayLabel_multiOutputVectorPredictions() {
    Path model = tmp.resolve("multi-model");
    Cli.Run t = run("train", "input=" + tmp.resolve("multi.parquet"),
        "features=[a, b, c]", "label=ys", "network.hidden=[]", "optimizer.learning-rate=0.9",
        "epochs=60", "output=" + model);
    assertEquals(0, t.code(), t.err());
    Path out = tmp.resolve("multi-predictions");
    Cli.Run p = run("predict", "--model", model.toString(), "--input",
        tmp.resolve("multi.parquet").toString(), "--output", out.toString());
    assertEquals(0, p.code(), p.err());
    spark = SparkTestSession.start("InputFormsTest"); // the command stopped the shared session
    List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
    assertEquals(400, rows.size());
    double worst = 0;
    for (Row r : rows) {
      Vector pred = (Vector) r.getAs("prediction");
      assertEquals(2, pred.size());
      double a = r.getDouble(0);
      double b = r.getDouble(1);
      double c = r.getDouble(2);
      worst = Math.max(worst, Math.abs(pred.apply(0) - (a + b)));
      worst = Math.max(worst, Math.abs(pred.apply(1) - (2 * c - a)));
    }
    assertTrue(worst < 0.05, "largest error of a linear fit in original units: " + worst);
  }


}
