package dev.sparkprop.cluster;

import static dev.sparkprop.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.cli.ExitCode;
import dev.sparkprop.testing.Cli.Run;
import dev.sparkprop.io.ModelStore;
import dev.sparkprop.spark.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad inputs of issue 5 that CommandLineTest does not cover: each exits with its documented
 * code and one line naming the problem, prints no stack trace unless --verbose, and leaves no
 * output behind.
 */
class BadInputTest {
  @TempDir
  static Path tmp;
  /** Regression on numeric columns a, b -> y. */
  static Path columnsModel;
  /** Regression on an array<double> column f of width 2 -> y. */
  static Path arrayModel;
  static Path goodCsv;
  static Path arrayData;

  @BeforeAll
  static void trainModels() throws IOException {
    StringBuilder sb = new StringBuilder("a,b,y\n");
    Random random = new Random(3);
    for (int i = 0; i < 40; i++) {
      double a = random.nextGaussian();
      double b = random.nextGaussian();
      sb.append(a).append(',').append(b).append(',').append(a - 2 * b).append('\n');
    }
    goodCsv = csv("good.csv", sb.toString());
    columnsModel = tmp.resolve("columns-model");
    Run r = run("train", "input=" + goodCsv, "label=y", "task=regression", "epochs=2",
        "output=" + columnsModel);
    assertEquals(0, r.code(), r.err());

    arrayData = tmp.resolve("array.parquet");
    SparkSession spark = SparkTestSession.start("BadInputTest");
    try {
      spark.sql("SELECT array(CAST(id AS DOUBLE), 1.0D) AS f, CAST(id AS DOUBLE) AS y "
          + "FROM range(20)").coalesce(1).write().parquet(arrayData.toString());
      writeParquet(spark, "SELECT 1.0D AS a, CAST('Infinity' AS DOUBLE) AS b, 0.5D AS y "
          + "UNION ALL SELECT 2.0D, 3.0D, 1.5D UNION ALL SELECT 4.0D, CAST('-Infinity' AS DOUBLE),"
          + " 1.0D", "inf-feature.parquet");
      writeParquet(spark, "SELECT 1.0D AS a, 2.0D AS b, 0.5D AS y UNION ALL "
          + "SELECT 2.0D, 3.0D, CAST('Infinity' AS DOUBLE)", "inf-label.parquet");
      writeParquet(spark, "SELECT array(1.0D, 2.0D, 3.0D) AS f, 0.5D AS y",
          "array-width3.parquet");
    } finally {
      spark.stop();
    }
    arrayModel = tmp.resolve("array-model");
    r = run("train", "input=" + arrayData, "features=f", "label=y", "task=regression",
        "epochs=2", "output=" + arrayModel);
    assertEquals(0, r.code(), r.err());
  }

  private static void writeParquet(SparkSession spark, String sql, String name) {
    spark.sql(sql).coalesce(1).write().parquet(tmp.resolve(name).toString());
  }

  private static Path csv(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  private static void assertFails(Run r, ExitCode code, String messagePart, Path output) {
    assertEquals(code.code, r.code(), r.out() + r.err());
    assertTrue(r.errLine().contains(messagePart), "message was: " + r.errLine());
    assertEquals(1, r.err().lines().filter(l -> l.startsWith("sparkprop: error:")).count(), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace without --verbose:\n" + r.err());
    if (output != null) {
      assertFalse(Files.exists(output), "no output at " + output);
    }
  }

  // ---------------------------------------------------------------- input files

  @Test
  void train_nonParquetFile_exitsInputNamingFormat() throws IOException {
    Path notParquet = csv("not-parquet.parquet", "this is text, not Parquet\n");
    Path out = tmp.resolve("m-not-parquet");
    assertFails(run("train", "input=" + notParquet, "output=" + out), ExitCode.INPUT,
        "input '" + notParquet + "' cannot be read as parquet", out);
  }

  @Test
  void train_truncatedParquetFile_exitsInput() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("truncated.parquet"));
    Path part;
    try (var parts = Files.list(arrayData)) {
      part = parts.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(part);
    Files.write(dir.resolve("part-00000.parquet"), Arrays.copyOf(bytes, bytes.length / 2));
    Path out = tmp.resolve("m-truncated");
    assertFails(run("train", "input=" + dir, "features=f", "label=y", "output=" + out),
        ExitCode.INPUT, "input '" + dir + "' cannot be read as parquet", out);
  }

  /** A part file of a two-row Parquet data set with columns a, b, y, for the cases below. */
  private static byte[] partFile(Path parquetDir) throws IOException {
    try (var parts = Files.list(parquetDir)) {
      return Files.readAllBytes(parts.filter(p -> p.toString().endsWith(".parquet"))
          .findFirst().orElseThrow());
    }
  }

  @Test
  void train_csvRecordWithExtraField_exitsInputNamingFileAndLine() throws IOException {
    Path in = csv("extra-field.csv", "a,b,y\n1,2,3\n4,5,6,7\n8,9,10\n");
    Path out = tmp.resolve("m-extra-field");
    assertFails(run("train", "input=" + in, "label=y", "output=" + out), ExitCode.INPUT,
        "input file '" + in + "' line 3 has 4 fields, but the header has 3 (a,b,y): 4,5,6,7",
        out);
  }

  @Test
  void train_csvRecordWithMissingField_exitsInputNamingFileAndLine() throws IOException {
    Path in = csv("missing-field.csv", "a,b,y\r\n1,2,3\r\n\r\n4,5,6\r\n7,8\r\n");
    Path out = tmp.resolve("m-missing-field");
    assertFails(run("train", "input=" + in, "label=y", "output=" + out), ExitCode.INPUT,
        "input file '" + in + "' line 5 has 2 fields, but the header has 3 (a,b,y): 7,8", out);
  }

  @Test
  void train_csvUnclosedQuote_exitsInputNamingFileAndLine() throws IOException {
    // Quoted commas and escaped quotes are fine; the open quote on line 4 is not.
    Path in = csv("bad-quote.csv", "a,b,y\n1,\"2\",3\n\"4\\\"\",5,6\n7,\"8,9\n");
    Path out = tmp.resolve("m-bad-quote");
    assertFails(run("train", "input=" + in, "label=y", "output=" + out), ExitCode.INPUT,
        "input file '" + in + "' line 4: a quote opened in field 2 is not closed on that line",
        out);
  }

  @Test
  void train_csvDuplicateHeaderNames_exitsInputInsteadOfRenaming() throws IOException {
    Path in = csv("duplicate-header.csv", "a,b,A,y\n1,2,3,4\n5,6,7,8\n");
    Path out = tmp.resolve("m-duplicate-header");
    assertFails(run("train", "input=" + in, "label=y", "output=" + out), ExitCode.INPUT,
        "input file '" + in + "' line 1: header fields 1 and 3 are both named 'A'; column "
            + "names must be distinct", out);
  }

  @Test
  void train_csvBlankHeaderName_exitsInput() throws IOException {
    Path in = csv("blank-header.csv", "a, ,y\n1,2,3\n");
    Path out = tmp.resolve("m-blank-header");
    assertFails(run("train", "input=" + in, "label=y", "output=" + out), ExitCode.INPUT,
        "input file '" + in + "' line 1: header field 2 of 3 is blank", out);
  }

  @Test
  void train_gzipCsvWithExtraField_readThroughCodecAndExitsInputNamingLine()
      throws IOException {
    Path in = tmp.resolve("extra-field.csv.gz");
    try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(in))) {
      gz.write("a,b,y\n1,2,3\n4,5,6,7\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    Path out = tmp.resolve("m-gzip");
    assertFails(run("train", "input=" + in, "input-format=csv", "label=y", "output=" + out),
        ExitCode.INPUT, "input file '" + in + "' line 3 has 4 fields, but the header has 3", out);
  }

  @Test
  void train_csvHeaderOnly_exitsInput() throws IOException {
    Path in = csv("header-only.csv", "a,b,y\n");
    Path out = tmp.resolve("m-header-only");
    assertFails(run("train", "input=" + in, "label=y", "output=" + out), ExitCode.INPUT,
        "input '" + in + "' has a header but no data rows", out);
  }

  @Test
  void train_csvDirectoryWithDifferentHeaders_exitsInputNamingBothFiles() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("csv-dir"));
    Files.writeString(dir.resolve("part-0.csv"), "a,b,y\n1,2,3\n");
    Files.writeString(dir.resolve("part-1.csv"), "a,c,y\n1,2,3\n");
    Path out = tmp.resolve("m-csv-dir");
    assertFails(run("train", "input=" + dir, "input-format=csv", "label=y", "output=" + out),
        ExitCode.INPUT, "input file '" + dir.resolve("part-1.csv") + "' has the header a,c,y, "
            + "but '" + dir.resolve("part-0.csv") + "' has a,b,y", out);
  }

  @Test
  void train_emptyDirectory_exitsInput() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("empty-dir"));
    Files.writeString(dir.resolve("_SUCCESS"), "");
    Path out = tmp.resolve("m-empty-dir");
    assertFails(run("train", "input=" + dir, "label=y", "output=" + out), ExitCode.INPUT,
        "input '" + dir + "' is a directory without data files", out);
  }

  @Test
  void train_parquetDirectoryWithMixedSchemas_exitsInputNamingBothFiles() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("mixed.parquet"));
    Files.write(dir.resolve("part-00000.parquet"), partFile(tmp.resolve("inf-label.parquet")));
    Files.write(dir.resolve("part-00001.parquet"), partFile(arrayData));
    Path out = tmp.resolve("m-mixed");
    assertFails(run("train", "input=" + dir, "label=y", "output=" + out), ExitCode.INPUT,
        "input '" + dir + "' mixes schemas: file '" + dir.resolve("part-00001.parquet")
            + "' has columns (f: array<double>, y: double), but '"
            + dir.resolve("part-00000.parquet") + "' has (a: double, b: double, y: double)", out);
  }

  @Test
  void train_parquetDataPageCorrupt_exitsInputNamingFile() throws IOException {
    // The footer is intact, so the file passes the footer check; Spark's task fails reading it.
    byte[] bytes = partFile(arrayData);
    int footer = java.nio.ByteBuffer.wrap(bytes, bytes.length - 8, 4)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    Arrays.fill(bytes, 4, bytes.length - 8 - footer, (byte) 0xAB);
    Path dir = Files.createDirectories(tmp.resolve("corrupt-page.parquet"));
    Path part = dir.resolve("part-00000.parquet");
    Files.write(part, bytes);
    Path out = tmp.resolve("m-corrupt-page");
    assertFails(run("train", "input=" + dir, "features=f", "label=y", "output=" + out),
        ExitCode.INPUT, "input file '" + part + "' cannot be read: ", out);
  }

  @Test
  void predict_csvRecordWithExtraField_exitsInputNamingFileAndLine() throws IOException {
    Path in = csv("predict-extra.csv", "a,b\n1,2\n3,4,5\n");
    Path out = tmp.resolve("p-extra");
    assertFails(run("predict", "--model", columnsModel.toString(), "--input", in.toString(),
        "--output", out.toString()), ExitCode.INPUT,
        "input file '" + in + "' line 3 has 3 fields, but the header has 2 (a,b): 3,4,5", out);
  }

  @Test
  void train_missingFeatureColumn_exitsInputNamingColumn() {
    Path out = tmp.resolve("m-nofeature");
    assertFails(run("train", "input=" + goodCsv, "features=[a, c]", "label=y",
        "output=" + out), ExitCode.INPUT, "'c' does not exist", out);
  }

  @Test
  void train_infiniteFeature_exitsInputWithCountAndFirstRow() {
    Path out = tmp.resolve("m-inf");
    assertFails(run("train", "input=" + tmp.resolve("inf-feature.parquet"), "label=y",
        "task=regression", "output=" + out), ExitCode.INPUT,
        "2 of 3 input rows cannot be used; the first is row 0 (0-based, in input order): "
            + "features has an infinite value in column 'b'", out);
  }

  @Test
  void train_infiniteLabel_exitsInput() {
    Path out = tmp.resolve("m-inf-label");
    assertFails(run("train", "input=" + tmp.resolve("inf-label.parquet"), "label=y",
        "task=regression", "output=" + out), ExitCode.INPUT,
        "1 of 2 input rows cannot be used; the first is row 1", out);
  }

  @Test
  void train_classLabelNegative_exitsInput() throws IOException {
    Path in = csv("neg-class.csv", "a,b,y\n1,2,0\n2,3,1\n3,4,-1\n4,5,1\n");
    Path out = tmp.resolve("m-neg");
    assertFails(run("train", "input=" + in, "label=y", "task=classification", "output=" + out),
        ExitCode.INPUT, "label 'y' is -1.0, but classes must be integers 0..K-1", out);
  }

  @Test
  void train_classLabelNotInteger_exitsInput() throws IOException {
    Path in = csv("frac-class.csv", "a,b,y\n1,2,0\n2,3,1\n3,4,0.5\n4,5,1\n");
    Path out = tmp.resolve("m-frac");
    assertFails(run("train", "input=" + in, "label=y", "task=classification", "output=" + out),
        ExitCode.INPUT, "label 'y' is 0.5, but classes must be integers 0..K-1", out);
  }

  @Test
  void train_classAbsentFromTraining_exitsInputNamingClass() throws IOException {
    Path in = csv("gap-class.csv", "a,b,y\n1,2,0\n2,3,1\n3,4,3\n4,5,1\n5,6,0\n");
    Path out = tmp.resolve("m-gap");
    assertFails(run("train", "input=" + in, "label=y", "task=classification", "output=" + out),
        ExitCode.INPUT, "class 2 of label 'y' has no rows", out);
  }

  @Test
  void train_noTrainingRowsLeftAfterSplit_exitsInput() throws IOException {
    Path in = csv("two-rows.csv", "a,b,y\n1,2,0.5\n2,3,1.5\n");
    Path out = tmp.resolve("m-nosplit");
    Run r = run("train", "input=" + in, "label=y", "task=regression", "test-fraction=0.9",
        "output=" + out);
    assertEquals(ExitCode.INPUT.code, r.code(), r.out() + r.err());
    assertTrue(r.errLine().contains("empty") || r.errLine().contains("no rows"), r.errLine());
    assertFalse(r.err().contains("\tat "), r.err());
    assertFalse(Files.exists(out));
  }

  // ---------------------------------------------------------------- configuration

  @Test
  void train_zeroEpochs_exitsUsageNamingKey() {
    Path out = tmp.resolve("m-epochs0");
    assertFails(run("train", "input=" + goodCsv, "label=y", "epochs=0", "output=" + out),
        ExitCode.USAGE, "epochs", out);
  }

  @Test
  void train_layerSizeZero_exitsUsageNamingKey() {
    Path out = tmp.resolve("m-layer0");
    assertFails(run("train", "input=" + goodCsv, "label=y", "network.hidden=[4, 0]",
        "output=" + out), ExitCode.USAGE, "network.hidden", out);
  }

  @Test
  void train_missingConfFile_exitsUsage() {
    Path out = tmp.resolve("m-noconf");
    assertFails(run("train", "--conf", tmp.resolve("nope.conf").toString(), "output=" + out),
        ExitCode.USAGE, "does not exist", out);
  }

  @Test
  void train_initFromModelOfOtherInputSize_exitsModelNamingBothNetworks() throws IOException {
    Path in = csv("three-features.csv", "a,b,c,y\n1,2,3,0.5\n2,3,4,1.5\n3,4,6,2.5\n");
    Path out = tmp.resolve("m-warm");
    assertFails(run("train", "input=" + in, "label=y", "task=regression",
        "network.init-from=" + columnsModel, "output=" + out),
        ExitCode.MODEL, "network.init-from model is 2-32-1", out);
  }

  @Test
  void train_badValueWithVerbose_printsStackTrace() {
    Run r = run("train", "input=" + tmp.resolve("inf-feature.parquet"), "label=y",
        "task=regression", "output=" + tmp.resolve("m-verbose"), "--verbose");
    assertEquals(ExitCode.INPUT.code, r.code());
    assertTrue(r.err().contains("\tat "), "--verbose prints the stack trace:\n" + r.err());
  }

  // ---------------------------------------------------------------- model directories

  @Test
  void predict_modelWithoutMetadataJson_exitsModelNamingFile() throws IOException {
    Path broken = copyModel(columnsModel, "no-metadata");
    Files.delete(broken.resolve(ModelStore.METADATA_FILE));
    Path out = tmp.resolve("p-no-metadata");
    assertFails(run("predict", "--model", broken.toString(), "--input", goodCsv.toString(),
        "--output", out.toString()), ExitCode.MODEL, "metadata.json: file not found", out);
  }

  @Test
  void predict_modelWithCorruptMetadataJson_exitsModelNamingFile() throws IOException {
    Path broken = copyModel(columnsModel, "bad-metadata");
    Files.writeString(broken.resolve(ModelStore.METADATA_FILE), "{\"format_version\": 1, ");
    Path out = tmp.resolve("p-bad-metadata");
    assertFails(run("predict", "--model", broken.toString(), "--input", goodCsv.toString(),
        "--output", out.toString()), ExitCode.MODEL, "metadata.json: not valid JSON", out);
  }

  @Test
  void predict_modelWithoutTensors_exitsModelNamingFile() throws IOException {
    Path broken = copyModel(columnsModel, "no-tensors");
    Files.delete(broken.resolve(ModelStore.TENSORS_FILE));
    Path out = tmp.resolve("p-no-tensors");
    assertFails(run("predict", "--model", broken.toString(), "--input", goodCsv.toString(),
        "--output", out.toString()), ExitCode.MODEL, "model.safetensors: file not found", out);
  }

  // ---------------------------------------------------------------- data that does not fit

  @Test
  void predict_stringWhereModelHasNumbers_exitsInputNamingColumn() throws IOException {
    Path in = csv("string-b.csv", "a,b\n1,x\n2,y\n");
    Path out = tmp.resolve("p-string");
    assertFails(run("predict", "--model", columnsModel.toString(), "--input", in.toString(),
        "--output", out.toString()), ExitCode.INPUT, "'b'", out);
  }

  @Test
  void predict_arrayWiderThanModelInputs_exitsInputNamingWidths() {
    Path out = tmp.resolve("p-width");
    assertFails(run("predict", "--model", arrayModel.toString(), "--input",
        tmp.resolve("array-width3.parquet").toString(), "--output", out.toString()),
        ExitCode.INPUT, "3 values, expected 2", out);
  }

  private static Path copyModel(Path model, String name) throws IOException {
    Path copy = Files.createDirectories(tmp.resolve(name));
    try (var files = Files.list(model)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    return copy;
  }
}
