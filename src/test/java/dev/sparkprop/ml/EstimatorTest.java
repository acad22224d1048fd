package dev.sparkprop.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.io.InputReader;
import dev.sparkprop.io.ModelStore;
import dev.sparkprop.spark.SparkTestSession;
import dev.sparkprop.spark.Split;
import dev.sparkprop.spark.TrainedModel;
import dev.sparkprop.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The Spark ML API end to end on the shipped data: Pipelines, the CLI's equality, persistence,
 * CrossValidator. Bad input through the API is in {@link EstimatorBadInputTest}.
 */
class EstimatorTest {
  private static final String DIGITS = "src/data/digits.parquet";
  private static final String CONCRETE = "src/data/concrete.csv";

  @TempDir
  static Path tmp;
  static Path cliModel;
  static double cliAccuracy;
  static SparkSession spark;
  static Dataset<Row> digits;

  @BeforeAll
  static void setUp() {
    // The command line first: it runs in-process and stops its session when done.
    cliModel = tmp.resolve("cli-digits");
    Cli.Run r = Cli.run("train", "--conf", "conf/digits.conf", "test-fraction=0", "epochs=30",
        "output=" + cliModel);
    assertEquals(0, r.code(), r.out() + r.err());
    Cli.Run full = Cli.run("train", "--conf", "conf/digits.conf", "output=" + tmp.resolve("cli"));
    assertEquals(0, full.code(), full.out() + full.err());
    cliAccuracy = Double.parseDouble(full.out().split("accuracy=")[1].split(" ")[0]);
    spark = SparkTestSession.start("EstimatorTest");
    digits = spark.read().parquet(DIGITS);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static VectorAssembler pixels() {
    String[] columns = Arrays.stream(digits.columns()).filter(c -> !c.equals("label"))
        .toArray(String[]::new);
    return new VectorAssembler().setInputCols(columns).setOutputCol("features");
  }

  /** conf/digits.conf's network and optimizer as Params. */
  static SparkpropClassifier digitsClassifier(int epochs) {
    return new SparkpropClassifier().setHiddenLayers(new int[] {64}).setHiddenActivation("tanh")
        .setSolver("adam").setStepSize(0.03).setBatchSize(0).setMaxIter(epochs).setSeed(42);
  }

  @Test
  @SuppressWarnings("unchecked")
  void pipeline_digitsWithStringIndexer_reachesTheCliAccuracy() {
    // The CLI's own seeded 80/20 split (Split.of by input row index; one partition, so the
    // increasing id is the row index), so both are tested on the same rows.
    assertEquals(1, digits.rdd().getNumPartitions());
    Dataset<Row> indexed = digits.withColumn("set", functions.udf(
        (Long id) -> Split.of(42, id, 0.0, 0.2).name(), DataTypes.StringType)
        .apply(functions.monotonically_increasing_id()));
    Dataset<Row>[] split = new Dataset[] {indexed.filter("set = 'TRAIN'"),
        indexed.filter("set = 'TEST'")};
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
        new StringIndexer().setInputCol("label").setOutputCol("indexed"), pixels(),
        digitsClassifier(200).setLabelCol("indexed")});
    PipelineModel model = pipeline.fit(split[0]);
    double accuracy = new MulticlassClassificationEvaluator().setLabelCol("indexed")
        .setMetricName("accuracy").evaluate(model.transform(split[1]));
    // StringIndexer numbers the classes by frequency, so the network starts from other
    // weights than the CLI's: within 1 % (4 of the 391 test rows) of its accuracy.
    System.out.printf("digits Pipeline test accuracy %.4f, CLI %.4f%n", accuracy, cliAccuracy);
    assertTrue(accuracy >= cliAccuracy - 0.01, "test accuracy " + accuracy + ", CLI "
        + cliAccuracy);
  }

  @Test
  void fit_sameDataSettingsAndSeedAsTheCli_sameParameters() throws Exception {
    SparkpropClassificationModel model = digitsClassifier(30).fit(pixels().transform(digits));
    double[] cli = ModelStore.load(cliModel).params();
    double[] api = model.weights().toArray();
    assertEquals(cli.length, api.length);
    double max = 0;
    for (int i = 0; i < cli.length; i++) {
      max = Math.max(max, Math.abs(cli[i] - api[i]));
    }
    System.out.printf("Estimator vs CLI, %d parameters: largest difference %.3g%n", cli.length,
        max);
    assertTrue(max <= 1e-12, "largest parameter difference " + max);
  }

  @Test
  void regressor_concrete_explainsMostOfTheVariance() {
    Dataset<Row> concrete = InputReader.read(spark, CONCRETE, "auto");
    String[] mix = Arrays.stream(concrete.columns())
        .filter(c -> !c.equals("compressive_strength")).toArray(String[]::new);
    Dataset<Row> data = new VectorAssembler().setInputCols(mix).setOutputCol("features")
        .transform(concrete);
    Dataset<Row>[] split = data.randomSplit(new double[] {0.8, 0.2}, 7);
    SparkpropRegressionModel model = new SparkpropRegressor().setLabelCol("compressive_strength")
        .setHiddenLayers(new int[] {32}).setHiddenActivation("tanh").setSolver("lbfgs")
        .setTol(1e-9).setMaxIter(300).fit(split[0]);
    double r2 = new RegressionEvaluator().setLabelCol("compressive_strength")
        .setMetricName("r2").evaluate(model.transform(split[1]));
    // conf/concrete.conf reaches about 0.90 on its split; a linear model about 0.6.
    System.out.printf("concrete regressor test R2 %.4f%n", r2);
    assertTrue(r2 >= 0.85, "test R2 " + r2);
    Row first = split[1].limit(1).collectAsList().get(0);
    double one = model.predict((Vector) first.getAs("features"));
    double inTransform = model.transform(split[1].limit(1)).collectAsList().get(0)
        .getAs("prediction");
    assertEquals(inTransform, one, 1e-9 * Math.max(1, Math.abs(one)));
  }

  @Test
  void pipelineModel_saveAndLoad_identicalPredictionsAndTheCliModelInside() throws Exception {
    Dataset<Row> data = digits.limit(600);
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {pixels(),
        digitsClassifier(20)}).fit(data);
    String path = tmp.resolve("pipeline").toString();
    model.write().overwrite().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    List<Row> before = model.transform(data).select("rawPrediction", "probability",
        "prediction").collectAsList();
    List<Row> after = loaded.transform(data).select("rawPrediction", "probability",
        "prediction").collectAsList();
    assertEquals(before, after);

    // The stage's own directory is a sparkprop model: the library's predict (what the CLI's
    // predict runs) gives the same probabilities.
    Path stage;
    try (var dirs = Files.list(Path.of(path, "stages"))) {
      stage = dirs.filter(p -> p.getFileName().toString().startsWith("1_")).findFirst()
          .orElseThrow();
    }
    assertTrue(Files.exists(stage.resolve(ModelStore.TENSORS_FILE)));
    TrainedModel inside = TrainedModel.load(new Configuration(), stage.toString());
    List<Row> library = inside.predict(pixels().transform(data), stage.toString()).data()
        .select("probability").collectAsList();
    for (int i = 0; i < before.size(); i++) {
      assertArrayEquals(((Vector) before.get(i).get(1)).toArray(),
          ((Vector) library.get(i).get(0)).toArray(), 0.0, "row " + i);
    }
    SparkpropClassificationModel direct = SparkpropClassificationModel.load(stage.toString());
    assertEquals(model.stages()[1].uid(), direct.uid());
    assertEquals(20, direct.getMaxIter());
  }

  @Test
  void estimator_saveAndLoad_keepsEveryParam() throws Exception {
    SparkpropClassifier mlp = digitsClassifier(12).setRegParam(1e-4).setNesterov(true)
        .setInitialWeights(new double[] {1, 2, 3}).setValidationIndicatorCol("isVal");
    String path = tmp.resolve("estimator").toString();
    mlp.write().overwrite().save(path);
    SparkpropClassifier loaded = SparkpropClassifier.load(path);
    assertEquals(mlp.uid(), loaded.uid());
    assertArrayEquals(new int[] {64}, loaded.getHiddenLayers());
    assertEquals(12, loaded.getMaxIter());
    assertEquals(1e-4, loaded.getRegParam());
    assertTrue(loaded.getNesterov());
    assertArrayEquals(new double[] {1, 2, 3}, loaded.getInitialWeights());
    assertEquals("isVal", loaded.getValidationIndicatorCol());
    for (org.apache.spark.ml.param.Param<?> param : mlp.params()) {
      @SuppressWarnings("unchecked")
      org.apache.spark.ml.param.Param<Object> p = (org.apache.spark.ml.param.Param<Object>) param;
      assertEquals(mlp.isDefined(p), loaded.isDefined(p), p.name());
      if (mlp.isDefined(p)) {
        assertEquals(p.jsonEncode(mlp.getOrDefault(p)), p.jsonEncode(loaded.getOrDefault(p)),
            p.name());
      }
    }
  }

  @Test
  void copy_withExtraParams_overridesThemAndKeepsTheRest() {
    SparkpropClassifier mlp = digitsClassifier(50);
    SparkpropClassifier copy = mlp.copy(new ParamMap().put(mlp.stepSize().w(0.5))
        .put(mlp.hiddenLayers().w(new int[] {8, 8})));
    assertEquals(mlp.uid(), copy.uid());
    assertEquals(0.5, copy.getStepSize());
    assertArrayEquals(new int[] {8, 8}, copy.getHiddenLayers());
    assertEquals(50, copy.getMaxIter());
    assertEquals(0.03, mlp.getStepSize());
  }

  @Test
  void crossValidator_twoByTwoGrid_picksABestModelAndParallelismGivesTheSame() {
    Dataset<Row> data = pixels().transform(digits.limit(500));
    SparkpropClassifier mlp = digitsClassifier(15);
    ParamMap[] grid = new ParamGridBuilder()
        .addGrid(mlp.hiddenLayers(), CollectionConverters.asScala(List.of(new int[] {4},
            new int[] {32})))
        .addGrid(mlp.stepSize(), new double[] {0.003, 0.03}).build();
    MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator()
        .setMetricName("accuracy");
    CrossValidatorModel one = new CrossValidator().setEstimator(mlp).setEstimatorParamMaps(grid)
        .setEvaluator(accuracy).setNumFolds(2).setSeed(3).setParallelism(1).fit(data);
    CrossValidatorModel two = new CrossValidator().setEstimator(mlp).setEstimatorParamMaps(grid)
        .setEvaluator(accuracy).setNumFolds(2).setSeed(3).setParallelism(2).fit(data);
    assertEquals(4, one.avgMetrics().length);
    assertArrayEquals(one.avgMetrics(), two.avgMetrics(), 1e-12);
    SparkpropClassificationModel best = (SparkpropClassificationModel) one.bestModel();
    // 32 hidden units at the larger step beat 4 units at a tenth of it, by far, in 15 epochs.
    assertArrayEquals(new int[] {64, 32, 10}, best.layers());
    assertEquals(0.03, best.getStepSize());
    assertNotEquals(one.avgMetrics()[0], one.avgMetrics()[3]);
    assertArrayEquals(best.weights().toArray(),
        ((SparkpropClassificationModel) two.bestModel()).weights().toArray(), 1e-12);
  }
}
