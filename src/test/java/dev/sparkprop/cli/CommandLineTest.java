package dev.sparkprop.cli;

import static dev.sparkprop.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.testing.Cli.Run;
import dev.sparkprop.io.Model;
import dev.sparkprop.io.ModelStore;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.Workspace;
import dev.sparkprop.spark.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command line, in-process on local[2]: train, predict, evaluate, inspect, and the
 * documented bad inputs, each with its exit code, its one-line message and no output left.
 */
class CommandLineTest {
  private static final String DIGITS = "src/data/digits.parquet";

  @TempDir
  static Path tmp;
  static Path digitsModel;

  @BeforeAll
  static void trainDigits() {
    digitsModel = tmp.resolve("digits-model");
    Run r = run("train", "--conf", "conf/digits.conf", "epochs=60", "output=" + digitsModel,
        "validation-fraction=0.1", "log-every=20");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("epoch 60/60"), r.out());
    assertTrue(r.out().contains("val_accuracy"), r.out());
    assertTrue(r.out().contains("test: rows="), r.out());
  }

  @Test
  void train_digits_writesModelHistoryAndAccurateTestMetrics() throws IOException {
    assertTrue(Files.isRegularFile(digitsModel.resolve("model.safetensors")));
    assertTrue(Files.isRegularFile(digitsModel.resolve("metadata.json")));
    List<String> history = Files.readAllLines(digitsModel.resolve("history.csv"));
    assertEquals(61, history.size());
    assertTrue(history.get(0).startsWith("epoch,train_loss,validation_loss"));
    Model model = ModelStore.load(digitsModel);
    assertEquals("classification", model.task());
    assertEquals(64, model.spec().inputSize());
    assertEquals(10, model.spec().outputSize());
    assertTrue(model.scaling().scalesFeatures());
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith(".")),
          "no temporary directories left beside the model");
    }
  }

  @Test
  void predict_digits_parquetWithInputColumnsAndPredictionsEqualToInMemoryModel()
      throws IOException {
    Path out = tmp.resolve("predictions");
    Run r = run("predict", "--model", digitsModel.toString(), "--input", DIGITS,
        "--output", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("wrote 1797 predictions"), r.out());

    Model model = ModelStore.load(digitsModel);
    SparkSession spark = SparkTestSession.start("CommandLineTest");
    try {
      Dataset<Row> p = spark.read().parquet(out.toString());
      List<String> cols = Arrays.asList(p.columns());
      assertEquals(65 + 2, cols.size(), cols.toString());
      assertEquals("prediction", cols.get(65));
      assertEquals("probability", cols.get(66));
      List<Row> rows = p.limit(50).collectAsList();
      double[] mean = model.scaling().featureMean();
      double[] std = model.scaling().featureStd();
      double[][] x = new double[rows.size()][64];
      for (int r0 = 0; r0 < rows.size(); r0++) {
        for (int f = 0; f < 64; f++) {
          double v = ((Number) rows.get(r0).get(f)).doubleValue();
          x[r0][f] = (v - mean[f]) * (1.0 / std[f]);
        }
      }
      Network network = new Network(model.spec());
      double[] expected = network.forward(model.params(), Block.ofRows(x, null),
          new Workspace(model.spec(), rows.size()));
      for (int r0 = 0; r0 < rows.size(); r0++) {
        Vector prob = (Vector) rows.get(r0).get(66);
        assertArrayEquals(Arrays.copyOfRange(expected, r0 * 10, r0 * 10 + 10), prob.toArray(),
            1e-12, "row " + r0);
        assertEquals((double) prob.argmax(), rows.get(r0).getDouble(65));
      }
    } finally {
      spark.stop();
    }
  }

  @Test
  void evaluate_digits_printsAccuracyPerClassAndConfusionMatrix() {
    Run r = run("evaluate", "--model", digitsModel.toString(), "--input", DIGITS);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("rows       1797"), r.out());
    double accuracy = Double.parseDouble(r.out().lines().filter(l -> l.startsWith("accuracy"))
        .findFirst().orElseThrow().substring(8).trim());
    assertTrue(accuracy > 0.9, r.out());
    assertTrue(r.out().contains("precision"), r.out());
    assertTrue(r.out().contains("confusion matrix"), r.out());
  }

  @Test
  void inspect_digits_printsLayersAndParameterCount() {
    Run r = run("inspect", "--model", digitsModel.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("parameters 4,810"), r.out());
    assertTrue(r.out().contains("softmax"), r.out());
  }

  @Test
  void trainPredict_stringLabels_roundTripToNames() throws IOException {
    Path csv = tmp.resolve("colors.csv");
    StringBuilder sb = new StringBuilder("a,b,color\n");
    java.util.Random random = new java.util.Random(1);
    for (int i = 0; i < 300; i++) {
      double a = random.nextGaussian();
      double b = random.nextGaussian();
      String c = a > 0.3 ? "red" : b > 0 ? "green" : "blue";
      sb.append(a).append(',').append(b).append(',').append(c).append('\n');
    }
    Files.writeString(csv, sb.toString());
    Path model = tmp.resolve("colors-model");
    Run t = run("train", "input=" + csv, "label=color", "output=" + model, "epochs=200",
        "optimizer.learning-rate=1.0", "network.hidden=[8]", "network.hidden-activation=tanh");
    assertEquals(0, t.code(), t.err());
    assertEquals(List.of("blue", "green", "red"), ModelStore.load(model).metadata().get("classes"));
    Path out = tmp.resolve("colors-predictions");
    Run p = run("predict", "--model", model.toString(), "--input", csv.toString(),
        "--output", out.toString());
    assertEquals(0, p.code(), p.err());
    SparkSession spark = SparkTestSession.start("CommandLineTest");
    try {
      Dataset<Row> d = spark.read().parquet(out.toString());
      assertTrue(Arrays.asList(d.columns()).contains("predicted_label"));
      long right = d.filter("color = predicted_label").count();
      assertTrue(right > 270, "correct names for " + right + " of 300 rows");
    } finally {
      spark.stop();
    }
  }

  @Test
  void train_warmStartFromSavedModel_startsFromItsWeights() throws IOException {
    Path out = tmp.resolve("warm");
    Run r = run("train", "--conf", "conf/digits.conf", "epochs=1", "output=" + out,
        "network.init-from=" + digitsModel, "optimizer.learning-rate=1e-9");
    assertEquals(0, r.code(), r.err());
    double[] before = ModelStore.load(digitsModel).params();
    double[] after = ModelStore.load(out).params();
    assertArrayEquals(before, after, 1e-6, "one tiny step from the saved weights");
    // A fresh initialisation is nowhere near them.
    Run fresh = run("train", "--conf", "conf/digits.conf", "epochs=1",
        "output=" + tmp.resolve("fresh"), "optimizer.learning-rate=1e-9");
    assertEquals(0, fresh.code(), fresh.err());
    double[] other = ModelStore.load(tmp.resolve("fresh")).params();
    double diff = 0;
    for (int i = 0; i < other.length; i++) {
      diff = Math.max(diff, Math.abs(other[i] - before[i]));
    }
    assertTrue(diff > 0.01, "fresh init differs from the saved weights by " + diff);
  }

  @Test
  void train_warmStartWithOtherArchitecture_exitsModel() {
    Path out = tmp.resolve("warm-bad");
    assertFails(run("train", "--conf", "conf/digits.conf", "epochs=1", "output=" + out,
        "network.hidden=[16]", "network.init-from=" + digitsModel), ExitCode.MODEL,
        "network.init-from model is 64-64-10", out);
  }

  @Test
  void train_lessonConf_printsEveryEpochWithFallingLoss() {
    Path out = tmp.resolve("lesson");
    Run r = run("train", "--conf", "conf/lesson.conf", "output=" + out);
    assertEquals(0, r.code(), r.err());
    List<Double> losses = r.out().lines().filter(l -> l.startsWith("epoch "))
        .map(l -> Double.parseDouble(l.split("loss ")[1].split(" ")[0])).toList();
    assertEquals(100, losses.size(), r.out());
    for (int i = 1; i < losses.size(); i++) {
      assertTrue(losses.get(i) < losses.get(i - 1), "loss falls every epoch: " + losses);
    }
  }

  // ---- bad input: one line, a documented exit code, no output left behind ----

  private static void assertFails(Run r, ExitCode code, String messagePart, Path output) {
    assertEquals(code.code, r.code(), r.out() + r.err());
    assertTrue(r.errLine().contains(messagePart), "message was: " + r.errLine());
    assertFalse(r.err().contains("\tat "), "no stack trace without --verbose:\n" + r.err());
    if (output != null) {
      assertFalse(Files.exists(output), "no partial output at " + output);
    }
  }

  private Path csv(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  @Test
  void train_missingInput_exitsInput() {
    Path out = tmp.resolve("m-missing");
    assertFails(run("train", "input=/no/such/file.parquet", "output=" + out), ExitCode.INPUT,
        "input '/no/such/file.parquet' does not exist", out);
  }

  @Test
  void train_missingLabelColumn_exitsInputNamingColumns() {
    Path out = tmp.resolve("m-nolabel");
    assertFails(run("train", "input=" + DIGITS, "label=digit", "output=" + out), ExitCode.INPUT,
        "label column 'digit' does not exist; the input has columns: p0, p1", out);
  }

  @Test
  void train_stringFeatureColumn_exitsInputNamingTypeAndColumn() throws IOException {
    Path in = csv("strfeat.csv", "a,b,y\n1,x,0\n2,y,1\n3,z,0\n");
    Path out = tmp.resolve("m-strfeat");
    assertFails(run("train", "input=" + in, "label=y", "output=" + out), ExitCode.INPUT,
        "column 'b' has type string", out);
  }

  @Test
  void train_nullValue_exitsInputWithCountAndFirstRow() throws IOException {
    Path in = csv("nulls.csv", "a,b,y\n1,2,0\n2,,1\n3,4,0\n5,,1\n6,7,0\n");
    Path out = tmp.resolve("m-nulls");
    assertFails(run("train", "input=" + in, "label=y", "output=" + out), ExitCode.INPUT,
        "2 of 5 input rows cannot be used; the first is row 1 (0-based, in input order): "
            + "features has a null value in column 'b'", out);
  }

  @Test
  void train_nanValue_exitsInput() throws IOException {
    Path in = csv("nan.csv", "a,b,y\n1.0,2.0,0.5\n2.0,NaN,1.5\n3.0,4.0,0.1\n");
    Path out = tmp.resolve("m-nan");
    assertFails(run("train", "input=" + in, "label=y", "task=regression", "output=" + out),
        ExitCode.INPUT, "features has a NaN value in column 'b'", out);
  }

  @Test
  void train_mixedFeatureWidths_exitsInput() throws IOException {
    SparkSession spark = SparkTestSession.start("CommandLineTest");
    Path in = tmp.resolve("widths.parquet");
    try {
      spark.sql("SELECT array(1.0D, 2.0D) AS f, 0.5D AS y UNION ALL "
          + "SELECT array(1.0D, 2.0D, 3.0D), 1.5D").coalesce(1).write().parquet(in.toString());
    } finally {
      spark.stop();
    }
    Path out = tmp.resolve("m-widths");
    assertFails(run("train", "input=" + in, "features=f", "label=y", "output=" + out),
        ExitCode.INPUT, "features has 3 values, expected 2", out);
  }

  @Test
  void train_emptyInput_exitsInput() throws IOException {
    Path in = csv("empty.csv", "a,b,y\n");
    Path out = tmp.resolve("m-empty");
    Run r = run("train", "input=" + in, "label=y", "task=regression", "output=" + out);
    assertEquals(ExitCode.INPUT.code, r.code(), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void evaluate_labelOutsideModelClasses_exitsInput() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 64; i++) {
      sb.append('p').append(i).append(',');
    }
    sb.append("label\n");
    for (int i = 0; i < 64; i++) {
      sb.append("1,");
    }
    sb.append("12\n");
    Path in = csv("label12.csv", sb.toString());
    assertFails(run("evaluate", "--model", digitsModel.toString(), "--input", in.toString()),
        ExitCode.INPUT, "label 'label' is 12, outside the model's classes 0..9", null);
  }

  @Test
  void predict_inputMissingModelColumn_exitsInput() throws IOException {
    Path in = csv("fewcols.csv", "p0,p1\n1,2\n");
    Path out = tmp.resolve("p-fewcols");
    assertFails(run("predict", "--model", digitsModel.toString(), "--input", in.toString(),
        "--output", out.toString()), ExitCode.INPUT, "feature column 'p2' does not exist", out);
  }

  @Test
  void train_unknownConfigKey_exitsUsageWithSuggestion() {
    Path out = tmp.resolve("m-key");
    assertFails(run("train", "--conf", "conf/digits.conf", "epoch=3", "output=" + out),
        ExitCode.USAGE, "did you mean 'sparkprop.epochs'", out);
  }

  @Test
  void train_invalidValue_exitsUsage() {
    Path out = tmp.resolve("m-lr");
    assertFails(run("train", "--conf", "conf/digits.conf", "optimizer.learning-rate=-1",
        "output=" + out), ExitCode.USAGE, "learning-rate", out);
  }

  @Test
  void train_outputExists_exitsOutputExistsAndKeepsOldModel() throws IOException {
    byte[] before = Files.readAllBytes(digitsModel.resolve("model.safetensors"));
    Run r = run("train", "--conf", "conf/digits.conf", "epochs=1", "overwrite=false",
        "output=" + digitsModel);
    assertFails(r, ExitCode.OUTPUT_EXISTS, "already exists; pass --overwrite", null);
    assertArrayEquals(before, Files.readAllBytes(digitsModel.resolve("model.safetensors")));
  }

  @Test
  void predict_outputExists_exitsOutputExists() throws IOException {
    Path out = tmp.resolve("existing-out");
    Files.createDirectories(out);
    Run r = run("predict", "--model", digitsModel.toString(), "--input", DIGITS, "--output",
        out.toString());
    assertFails(r, ExitCode.OUTPUT_EXISTS, "already exists", null);
  }

  @Test
  void predict_corruptModel_exitsModel() throws IOException {
    Path broken = tmp.resolve("broken-model");
    Files.createDirectories(broken);
    Files.copy(digitsModel.resolve("metadata.json"), broken.resolve("metadata.json"));
    byte[] tensors = Files.readAllBytes(digitsModel.resolve("model.safetensors"));
    Files.write(broken.resolve("model.safetensors"), Arrays.copyOf(tensors, tensors.length / 2));
    Path out = tmp.resolve("p-broken");
    assertFails(run("predict", "--model", broken.toString(), "--input", DIGITS, "--output",
        out.toString()), ExitCode.MODEL, "model.safetensors", out);
  }

  @Test
  void unknownCommand_exitsUsage() {
    Run r = run("fit");
    assertEquals(ExitCode.USAGE.code, r.code());
    assertTrue(r.errLine().contains("unknown command 'fit'"), r.err());
  }
}
