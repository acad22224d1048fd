package dev.sparkprop.cli;

import dev.sparkprop.io.AtomicOutput;
import dev.sparkprop.io.InputMapping;
import dev.sparkprop.io.InputReader;
import dev.sparkprop.io.Model;
import dev.sparkprop.io.ModelStore;
import dev.sparkprop.io.Scaling;
import dev.sparkprop.spark.DataScan;
import dev.sparkprop.spark.Predictor;
import java.io.IOException;
import java.io.PrintStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** {@code sparkprop predict}: a model and input rows to Parquet with predictions appended. */
final class PredictCommand {
  private PredictCommand() {}

  /** Rows per forward block when predicting. */
  static final int BLOCK_SIZE = 1024;

  static void run(Args args, PrintStream out) throws IOException {
    args.allow("model", "input", "output", "overwrite", "input-format");
    String modelDir = args.require("model", "DIR (a directory written by 'sparkprop train')");
    String input = args.require("input", "PATH (Parquet or CSV)");
    String output = args.require("output", "PATH (the Parquet directory to write)");
    boolean overwrite = args.has("overwrite");
    Model model = ModelStore.load(SparkSessions.hadoopConfiguration(), modelDir);
    InputMapping mapping = ModelData.mapping(model, modelDir).withoutLabel();
    SparkSession spark = SparkSessions.start(args, "predict", out);
    try {
      AtomicOutput.checkWritable(spark.sparkContext().hadoopConfiguration(), output, overwrite);
      Dataset<Row> raw = InputReader.read(spark, input,
          args.has("input-format") ? args.get("input-format") : "auto");
      Dataset<Row> canonical = canonical(raw, mapping, model, modelDir);
      DataScan scan = DataScan.check(canonical, mapping, false, model.spec().inputSize(), 0);
      Dataset<Row> predictions = predictor(model, ModelData.isClassification(model))
          .predict(spark, canonical);
      AtomicOutput.write(spark.sparkContext().hadoopConfiguration(), output, overwrite,
          tmp -> predictions.write().parquet(tmp));
      out.println(Main.fmt("wrote %d predictions to %s", scan.rows(), output));
    } finally {
      spark.stop();
    }
  }

  /** The input with the model's canonical features column, after checking its columns. */
  static Dataset<Row> canonical(Dataset<Row> raw, InputMapping mapping, Model model,
      String modelDir) {
    try {
      mapping.checkSchema(raw, mapping.labelColumn() != null);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the input does not match model '" + modelDir + "': "
          + e.getMessage());
    }
    if (mapping.featureKind() == InputMapping.FeatureKind.NUMERIC_COLUMNS
        && mapping.featureColumns().size() != model.spec().inputSize()) {
      throw new IllegalArgumentException("model '" + modelDir + "' lists "
          + mapping.featureColumns().size() + " feature columns but has "
          + model.spec().inputSize() + " inputs");
    }
    return mapping.canonical(raw, mapping.labelColumn() != null);
  }

  static Predictor predictor(Model model, boolean classification) {
    Scaling sc = model.scaling();
    return new Predictor(model.spec(), model.params(), sc.featureMean(), sc.featureStd(),
        sc.labelMean(), sc.labelStd(), classification, classNames(model), BLOCK_SIZE);
  }

  @SuppressWarnings("unchecked")
  static java.util.List<String> classNames(Model model) {
    Object c = model.metadata().get("classes");
    return c instanceof java.util.List<?> l ? (java.util.List<String>) l : null;
  }
}
