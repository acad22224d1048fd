package dev.sparkprop.spark;

import dev.sparkprop.io.InputException;
import dev.sparkprop.io.InputMapping;
import dev.sparkprop.io.InputMapping.FeatureKind;
import dev.sparkprop.io.InputMapping.LabelKind;
import dev.sparkprop.io.Model;
import dev.sparkprop.io.ModelFormatException;
import dev.sparkprop.io.ModelStore;
import dev.sparkprop.io.Scaling;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.nn.Precision;
import dev.sparkprop.train.EpochStats;
import dev.sparkprop.train.Metrics;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A trained network with what it means: the saved {@link Model} (spec, parameters, scaling,
 * metadata), how input columns map to its inputs and outputs (task, feature columns, label,
 * class names), and, when it was just trained, the history, the epoch kept, why training ended
 * and the test metrics. The library's one entry for prediction ({@link #predict}) and
 * evaluation ({@link #evaluate}), for the command line and the Spark ML models alike.
 *
 * @param history empty for a model loaded from disk
 * @param keptEpoch the epoch whose parameters were kept; 0 when unknown (loaded)
 * @param stopReason null when unknown (loaded)
 * @param test null without a test split
 */
public record TrainedModel(Model model, InputMapping mapping, List<EpochStats> history,
    int keptEpoch, String stopReason, Metrics test) {
  /** The per-epoch history file written beside a model. */
  public static final String HISTORY_FILE = "history.csv";
  /** Rows per forward block when predicting or evaluating. */
  public static final int PREDICT_BLOCK_SIZE = 1024;

  public TrainedModel {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(mapping, "mapping");
    history = List.copyOf(history);
  }

  /** Predictions and how many rows they hold (every row was checked). */
  public record Predictions(Dataset<Row> data, long rows) {}

  /** Reads a model directory written by {@link #save} or {@code sparkprop train}. */
  public static TrainedModel load(Configuration conf, String dir) throws IOException {
    Model model = ModelStore.load(conf, dir);
    return new TrainedModel(model, mapping(model, dir), List.of(), 0, null, null);
  }

  /**
   * Writes the model directory (metadata.json, model.safetensors and {@code extraFiles}) as a
   * whole or not at all ({@link ModelStore#save(Configuration, String, Model, boolean, Map)}).
   */
  public void save(Configuration conf, String dir, boolean overwrite, Map<String, byte[]> extraFiles)
      throws IOException {
    ModelStore.save(conf, dir, model, overwrite, extraFiles);
  }

  public NetworkSpec network() {
    return model.spec();
  }

  /** Whether the model's task is classification (metadata.json's {@code task}). */
  public boolean isClassification() {
    return "classification".equals(model.task());
  }

  /** Whether the output layer is a softmax: its outputs are then the class probabilities. */
  public boolean outputIsSoftmax() {
    NetworkSpec spec = model.spec();
    return spec.layer(spec.numLayers() - 1).activation() == dev.sparkprop.nn.Activation.SOFTMAX;
  }

  /** Class names of a string label, in index order; null for integer classes or regression. */
  public List<String> classNames() {
    return mapping.classNames();
  }

  /**
   * The rows of {@code raw} with the prediction columns appended ({@link Predictor}), after
   * checking the columns and every feature value; {@code name} names the model in messages.
   */
  public Predictions predict(Dataset<Row> raw, String name) {
    InputMapping features = mapping.withoutLabel();
    Dataset<Row> canonical = canonical(raw, features, name);
    DataScan scan = DataScan.check(canonical, features, false, model.spec().inputSize(), 0);
    return new Predictions(predictor().predict(raw.sparkSession(), canonical), scan.rows());
  }

  /** The model's loss and metrics on labelled {@code raw}; {@code name} names the model. */
  public Metrics evaluate(Dataset<Row> raw, String name) {
    boolean classification = isClassification();
    Dataset<Row> canonical = canonical(raw, mapping, name);
    int outputs = model.spec().outputSize();
    try (DataScan scan = DataScan.scan(canonical, mapping, true, model.spec().inputSize(),
        classification ? outputs : 0)) {
      return evaluate(scan, classification, outputs);
    }
  }

  private Metrics evaluate(DataScan scan, boolean classification, int outputs) {
    if (!classification && scan.labelWidth != outputs) {
      throw new InputException("label '" + mapping.labelColumn() + "' has "
          + scan.labelWidth + " values per row but the model has " + outputs + " outputs");
    }
    Scaling sc = model.scaling();
    BlockStacker.Stats stats = new BlockStacker.Stats(sc.featureMean(), sc.featureStd(),
        sc.labelMean(), sc.labelStd(), 0);
    boolean oneHot = classification && model.spec().loss() != Loss.CROSS_ENTROPY;
    Metrics.Spec spec = classification ? Metrics.Spec.classification(outputs)
        : Metrics.Spec.regression(outputs, sc.labelMean(), sc.labelStd());
    try (SparkObjective data = new SparkObjective(BlockStacker.stack(scan,
        new BlockStacker.SplitSpec(0, 0, 0), Split.TRAIN, stats, PREDICT_BLOCK_SIZE,
        oneHot ? outputs : 0, Precision.FLOAT64), model.spec(), 2)) {
      return data.evaluate(model.params(), spec);
    }
  }

  /** The batch predictor of this model: blocks through the network, original label units. */
  public Predictor predictor() {
    Scaling sc = model.scaling();
    return new Predictor(model.spec(), model.params(), sc.featureMean(), sc.featureStd(),
        sc.labelMean(), sc.labelStd(), isClassification(), classNames(), PREDICT_BLOCK_SIZE);
  }

  /** The input with the canonical columns of {@code m}, after checking its columns. */
  private Dataset<Row> canonical(Dataset<Row> raw, InputMapping m, String name) {
    try {
      m.checkSchema(raw, m.labelColumn() != null);
    } catch (IllegalArgumentException e) {
      throw new InputException("the input does not match model '" + name + "': "
          + e.getMessage());
    }
    if (m.featureKind() == FeatureKind.NUMERIC_COLUMNS
        && m.featureColumns().size() != model.spec().inputSize()) {
      throw new InputException("model '" + name + "' lists "
          + m.featureColumns().size() + " feature columns but has "
          + model.spec().inputSize() + " inputs");
    }
    return m.canonical(raw, m.labelColumn() != null);
  }

  /** The metadata keys that say what the inputs mean: task, features, label, classes. */
  static Map<String, Object> describe(InputMapping mapping) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task", mapping.isClassification() ? "classification" : "regression");
    Map<String, Object> features = new LinkedHashMap<>();
    features.put("kind", mapping.featureKind().name().toLowerCase(Locale.ROOT));
    features.put("columns", mapping.featureColumns());
    m.put("features", features);
    Map<String, Object> label = new LinkedHashMap<>();
    label.put("column", mapping.labelColumn());
    if (mapping.labelFromColumns()) {
      label.put("columns", mapping.labelColumns());
    }
    label.put("kind", mapping.labelKind().name().toLowerCase(Locale.ROOT));
    m.put("label", label);
    m.put("classes", mapping.classNames());
    return m;
  }

  /** Reads back what {@link #describe(InputMapping)} wrote. */
  @SuppressWarnings("unchecked")
  static InputMapping mapping(Model model, String dir) {
    try {
      Map<String, Object> md = model.metadata();
      Map<String, Object> features = (Map<String, Object>) md.get("features");
      Map<String, Object> label = (Map<String, Object>) md.get("label");
      List<String> columns = (List<String>) features.get("columns");
      FeatureKind fk = FeatureKind.valueOf(
          ((String) features.get("kind")).toUpperCase(Locale.ROOT));
      LabelKind lk = LabelKind.valueOf(((String) label.get("kind")).toUpperCase(Locale.ROOT));
      List<String> classes = (List<String>) md.get("classes");
      return new InputMapping(columns, fk, (String) label.get("column"), lk, classes,
          (List<String>) label.get("columns"));
    } catch (RuntimeException e) {
      throw new ModelFormatException("model '" + dir + "': metadata.json does not describe the "
          + "input columns (features/label); was it written by 'sparkprop train'?");
    }
  }

  /** The history as CSV, one line per epoch (the model directory's {@link #HISTORY_FILE}). */
  public String historyCsv() {
    StringBuilder sb = new StringBuilder("epoch,train_loss,validation_loss,validation_metric,"
        + "validation_value,seconds,rows_per_second,steps,learning_rate\n");
    for (EpochStats e : history) {
      sb.append(e.epoch()).append(',').append(e.trainLoss()).append(',');
      if (e.hasValidation()) {
        sb.append(e.validationLoss()).append(',').append(e.validationHeadlineName())
            .append(',').append(e.validationHeadline());
      } else {
        sb.append(",,");
      }
      sb.append(',').append(String.format(Locale.ROOT, "%.6f", e.seconds())).append(',')
          .append(String.format(Locale.ROOT, "%.1f", e.rowsPerSecond())).append(',')
          .append(e.steps()).append(',')
          .append(Double.isNaN(e.learningRate()) ? "" : String.valueOf(e.learningRate()))
          .append('\n');
    }
    return sb.toString();
  }

  /** The network in a few characters: "64-32-10 [relu, softmax]". */
  public static String describe(NetworkSpec spec) {
    StringBuilder sb = new StringBuilder().append(spec.inputSize());
    for (int l = 0; l < spec.numLayers(); l++) {
      sb.append('-').append(spec.layer(l).outputs());
    }
    return sb + " " + spec.activationIds();
  }
}
