package dev.sparkprop.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.spark.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input through the Spark ML API: one IllegalArgumentException naming the column, row or
 * param, and afterwards no job running and nothing cached.
 */
class EstimatorBadInputTest {
  static SparkSession spark;

  @BeforeAll
  static void setUp() {
    spark = SparkTestSession.start("EstimatorBadInputTest");
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  @AfterEach
  void nothingLeftBehind() throws InterruptedException {
    // The status tracker hears of a job's end through the listener bus, a moment later.
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (spark.sparkContext().statusTracker().getActiveJobIds().length > 0
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(0, spark.sparkContext().statusTracker().getActiveJobIds().length,
        "no job left running");
    assertTrue(spark.sparkContext().getPersistentRDDs().isEmpty(),
        "nothing left cached: " + spark.sparkContext().getPersistentRDDs());
  }

  static final StructType SCHEMA = new StructType()
      .add("features", SQLDataTypes.VectorType(), true)
      .add("label", DataTypes.DoubleType, true);

  /** Rows (x, label) with the given rows replaced. */
  static Dataset<Row> data(Row... bad) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rows.add(RowFactory.create(Vectors.dense(i % 7, i % 3), (double) (i % 2)));
    }
    for (int i = 0; i < bad.length; i++) {
      rows.set(10 + i, bad[i]);
    }
    return SparkSession.active().createDataFrame(rows, SCHEMA).repartition(2);
  }

  static SparkpropClassifier classifier() {
    return new SparkpropClassifier().setHiddenLayers(new int[] {3}).setMaxIter(2);
  }

  static String message(Executable fit) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, fit);
    return e.getMessage();
  }

  @Test
  void fit_missingFeaturesColumn_namesIt() {
    String m = message(() -> classifier().setFeaturesCol("pixels").fit(data()));
    assertTrue(m.contains("pixels"), m);
  }

  @Test
  void fit_featuresOfWrongType_namesColumnAndType() {
    Dataset<Row> d = data();
    Dataset<Row> text = d.withColumn("features", d.col("label").cast("string"));
    String m = message(() -> classifier().fit(text));
    assertTrue(m.contains("features") && m.contains("string"), m);
  }

  @Test
  void fit_nullFeature_namesTheRow() {
    String m = message(() -> classifier().fit(data(RowFactory.create(null, 1.0))));
    assertTrue(m.contains("null") && m.contains("row"), m);
  }

  @Test
  void fit_nanFeature_namesTheValue() {
    String m = message(() -> classifier().fit(data(RowFactory.create(
        Vectors.dense(1, Double.NaN), 1.0))));
    assertTrue(m.contains("NaN"), m);
  }

  @Test
  void fit_wrongWidth_namesBothWidths() {
    String m = message(() -> classifier().fit(data(RowFactory.create(
        Vectors.dense(1, 2, 3), 1.0))));
    assertTrue(m.contains("3") && m.contains("2"), m);
  }

  @Test
  void fit_labelNotAClassIndex_namesTheLabel() {
    String m = message(() -> classifier().fit(data(RowFactory.create(Vectors.dense(1, 2),
        -1.0))));
    assertTrue(m.contains("label") && m.contains("-1"), m);
    String half = message(() -> classifier().fit(data(RowFactory.create(Vectors.dense(1, 2),
        1.5))));
    assertTrue(half.contains("1.5") && half.contains("0..K-1"), half);
  }

  @Test
  void fit_nullLabel_isRefused() {
    String m = message(() -> classifier().fit(data(RowFactory.create(Vectors.dense(1, 2),
        null))));
    assertTrue(m.contains("label") && m.contains("null"), m);
  }

  @Test
  void fit_emptyDataFrame_saysSo() {
    String m = message(() -> classifier().fit(data().limit(0)));
    assertTrue(m.contains("no rows"), m);
    String regression = message(() -> new SparkpropRegressor().setMaxIter(2)
        .fit(data().filter("label > 5")));
    assertTrue(regression.contains("no rows"), regression);
  }

  @Test
  void setters_invalidValue_nameTheParam() {
    assertTrue(message(() -> classifier().setStepSize(-1)).contains("stepSize"));
    assertTrue(message(() -> classifier().setSolver("rmsprop")).contains("solver"));
    assertTrue(message(() -> classifier().setHiddenLayers(new int[] {4, 0}))
        .contains("hiddenLayers"));
    assertTrue(message(() -> classifier().setInitialization("normal(-1)"))
        .contains("initialization"));
    assertTrue(message(() -> classifier().setMaxIter(0)).contains("maxIter"));
  }

  @Test
  void fit_sgdWithoutBatch_namesBatchSize() {
    String m = message(() -> classifier().setSolver("sgd").setBatchSize(0).fit(data()));
    assertTrue(m.contains("batchSize"), m);
  }

  @Test
  void fit_earlyStoppingWithoutValidation_namesTheParams() {
    String m = message(() -> classifier().setEarlyStoppingPatience(3).fit(data()));
    assertTrue(m.contains("earlyStoppingPatience") && m.contains("validationIndicatorCol"), m);
  }

  @Test
  void fit_validationIndicatorNotBoolean_namesIt() {
    String m = message(() -> classifier().setValidationIndicatorCol("label").fit(data()));
    assertTrue(m.contains("validationIndicatorCol") && m.contains("boolean"), m);
  }

  @Test
  void fit_initialWeightsOfWrongLength_namesBothCounts() {
    String m = message(() -> classifier().setInitialWeights(new double[] {1, 2}).fit(data()));
    assertTrue(m.contains("2 values") && m.contains("17 parameters"), m);
  }

  @Test
  void transform_missingFeaturesColumn_failsBeforeAnyJob() {
    SparkpropClassificationModel model = classifier().fit(data());
    int jobs = spark.sparkContext().statusTracker().getJobIdsForGroup(null).length;
    String m = message(() -> model.transform(data().withColumnRenamed("features", "x")));
    assertTrue(m.contains("features"), m);
    assertEquals(jobs, spark.sparkContext().statusTracker().getJobIdsForGroup(null).length,
        "transformSchema fails before any job");
  }

  @Test
  void validationIndicator_trainsOnTheOtherRowsAndReportsValidation() {
    Dataset<Row> withIndicator = data().withColumn("isVal",
        org.apache.spark.sql.functions.rand(1).lt(0.25));
    SparkpropClassificationModel model = classifier().setValidationIndicatorCol("isVal")
        .setEarlyStoppingPatience(5).setMaxIter(4).fit(withIndicator);
    long validationRows = withIndicator.filter("isVal").count();
    assertTrue(validationRows > 0 && validationRows < 40);
    assertTrue(model.trainedModel().history().get(0).hasValidation());
  }
}
