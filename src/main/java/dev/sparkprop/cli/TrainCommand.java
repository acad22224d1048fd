package dev.sparkprop.cli;

import dev.sparkprop.io.AtomicOutput;
import dev.sparkprop.io.InputMapping;
import dev.sparkprop.io.InputReader;
import dev.sparkprop.io.Model;
import dev.sparkprop.io.ModelStore;
import dev.sparkprop.io.Scaling;
import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.spark.BlockStacker;
import dev.sparkprop.spark.BlockStacker.SplitSpec;
import dev.sparkprop.spark.BlockStacker.Stats;
import dev.sparkprop.spark.DataScan;
import dev.sparkprop.spark.SparkObjective;
import dev.sparkprop.spark.Split;
import dev.sparkprop.io.CheckpointStore;
import dev.sparkprop.optim.FirstOrderSpec;
import dev.sparkprop.optim.Lbfgs;
import dev.sparkprop.optim.OptimizerSpec;
import dev.sparkprop.optim.Schedule;
import dev.sparkprop.spark.BreezeLbfgs;
import dev.sparkprop.train.Batch;
import dev.sparkprop.train.Checkpoint;
import dev.sparkprop.train.EarlyStopping;
import dev.sparkprop.train.EpochStats;
import dev.sparkprop.train.Metrics;
import dev.sparkprop.train.NonFiniteLossException;
import dev.sparkprop.train.TrainConfig;
import dev.sparkprop.train.Trainer;
import org.apache.hadoop.conf.Configuration;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code sparkprop train}: data in, model directory out, one progress line per epoch; or
 * {@code train --resume DIR}: the run whose latest checkpoint is in DIR, continued with the
 * configuration saved in it (KEY=VALUE settings on the command line still apply on top).
 */
final class TrainCommand {
  private TrainCommand() {}

  static final String HISTORY_FILE = "history.csv";

  static void run(Args args, PrintStream out) throws IOException {
    args.allow("conf", "overwrite", "input", "output", "resume");
    List<String> overrides = new ArrayList<>(args.overrides);
    if (args.has("overwrite")) {
      overrides.add("overwrite=true");
    }
    if (args.has("input")) {
      overrides.add("input=" + quoted(args.get("input")));
    }
    if (args.has("output")) {
      overrides.add("output=" + quoted(args.get("output")));
    }
    if (args.has("resume")) {
      if (args.has("conf")) {
        throw new CliException(ExitCode.USAGE, "--resume continues with the configuration saved "
            + "in the checkpoint; give changes as KEY=VALUE instead of --conf");
      }
      String dir = args.require("resume", "DIR (a checkpoint.dir of an earlier run)");
      SparkSession spark = SparkSessions.start(args, "train", out);
      try {
        CheckpointStore.Stored stored = CheckpointStore.latest(
            spark.sparkContext().hadoopConfiguration(), dir);
        Settings s = Settings.loadText(stored.configuration(), "the configuration saved in "
            + "checkpoint '" + stored.location() + "'", overrides);
        out.println(Main.fmt("sparkprop: resuming from %s (epoch %d of %d)", stored.location(),
            stored.checkpoint().epoch(), s.epochs()));
        train(spark, checked(s), null, stored, out);
      } finally {
        spark.stop();
      }
      return;
    }
    Settings s = checked(Settings.load(args.has("conf") ? Path.of(args.get("conf")) : null,
        overrides));
    Model warm = s.initFrom().isEmpty() ? null
        : ModelStore.load(SparkSessions.hadoopConfiguration(), s.initFrom());
    SparkSession spark = SparkSessions.start(args, "train", out);
    try {
      if (!s.checkpointDir().isEmpty() && !s.overwrite()) {
        CheckpointStore.latestEpoch(spark.sparkContext().hadoopConfiguration(),
            s.checkpointDir()).ifPresent(epoch -> {
              throw new CliException(ExitCode.OUTPUT_EXISTS, "checkpoint.dir '"
                  + s.checkpointDir() + "' already holds a checkpoint (epoch " + epoch
                  + "); continue that run with 'train --resume " + s.checkpointDir()
                  + "', or pass --overwrite to start afresh");
            });
      }
      train(spark, s, warm, null, out);
    } finally {
      spark.stop();
    }
  }

  /** Checks that need only the settings: input and output set, output free. */
  private static Settings checked(Settings s) {
    s.requireNonEmpty("input");
    String output = s.requireNonEmpty("output");
    if (!s.overwrite() && AtomicOutput.exists(SparkSessions.hadoopConfiguration(), output)) {
      throw new CliException(ExitCode.OUTPUT_EXISTS, "output '" + output
          + "' already exists; pass --overwrite to replace it");
    }
    return s;
  }

  private static void train(SparkSession spark, Settings s, Model warm,
      CheckpointStore.Stored resume, PrintStream out) throws IOException {
    long t0 = System.nanoTime();
    Dataset<Row> raw = InputReader.read(spark, s.input(), s.inputFormat());
    InputMapping mapping = InputMapping.forTraining(raw, s.features(), s.label(), s.task());
    Dataset<Row> canonical = mapping.canonical(raw, true);
    try (DataScan scan = DataScan.scan(canonical, mapping, true, -1, 0)) {
      train(spark, s, warm, resume, out, t0, mapping, scan);
    }
  }

  /** The rest of {@link #train}, on the scanned (read once, cached) input rows. */
  private static void train(SparkSession spark, Settings s, Model warm,
      CheckpointStore.Stored resume, PrintStream out, long t0, InputMapping mapping,
      DataScan scan) throws IOException {
    String outputDir = s.output();

    boolean classification = mapping.isClassification();
    int outputs;
    List<String> classes = mapping.classNames();
    if (classification) {
      outputs = classes != null ? classes.size() : scan.classCounts.length;
      if (outputs < 2) {
        throw new IllegalArgumentException("label '" + s.label() + "' has only class 0; "
            + "classification needs at least 2 classes");
      }
      for (int k = 0; k < outputs; k++) {
        if (scan.classCounts[k] == 0) {
          throw new IllegalArgumentException("class " + k + " of label '" + s.label()
              + "' has no rows, but classes must be 0.." + (outputs - 1) + " with every class"
              + " present; renumber the classes");
        }
      }
    } else {
      outputs = scan.labelWidth;
    }
    NetworkSpec spec = networkSpec(s, scan.featureWidth, outputs, classification);
    boolean oneHot = classification && spec.loss() != Loss.CROSS_ENTROPY;

    SplitSpec split = new SplitSpec(s.seed(), s.validationFraction(), s.testFraction());
    Scaling scaling;
    if (resume != null) {
      scaling = resume.scaling();
    } else if (warm != null) {
      checkWarmStart(warm, spec);
      scaling = warm.scaling();
    } else {
      boolean scaleLabel = s.standardizeLabel() && !classification;
      scaling = Scaling.NONE;
      if (s.standardizeFeatures() || scaleLabel) {
        Stats st = BlockStacker.stats(scan, split, Split.TRAIN,
            s.standardizeFeatures(), scaleLabel);
        scaling = new Scaling(st.featureMean(), st.featureStd(), st.labelMean(), st.labelStd());
      }
    }
    Stats stats = new Stats(scaling.featureMean(), scaling.featureStd(), scaling.labelMean(),
        scaling.labelStd(), 0);
    int oneHotWidth = oneHot ? outputs : 0;
    JavaRDD<Block> trainBlocks = partitioned(BlockStacker.stack(scan, split,
        Split.TRAIN, stats, s.blockSize(), oneHotWidth, s.precision()), s.partitions());
    Metrics.Spec metricsSpec = classification ? Metrics.Spec.classification(outputs)
        : Metrics.Spec.regression(outputs, scaling.labelMean(), scaling.labelStd());

    double[] init = warm != null ? warm.params() : s.init().initialize(spec, s.seed());
    TrainConfig config = new TrainConfig(spec, s.optimizer(), s.epochs(), s.seed(),
        new EarlyStopping(s.earlyStoppingPatience(), s.earlyStoppingMinDelta()),
        s.checkpointEvery());
    Trainer trainer = new Trainer(config, new BreezeLbfgs());
    Trainer.Result result;
    Metrics test = null;
    Checkpoints checkpoints = s.checkpointDir().isEmpty() ? null : new Checkpoints(
        spark.sparkContext().hadoopConfiguration(), s.checkpointDir(), s.render(), scaling,
        resume == null ? -1 : resume.checkpoint().epoch());
    try (SparkObjective train = new SparkObjective(trainBlocks, spec, s.aggregationDepth());
        SparkObjective validation = validationData(spark, s, mapping, scan, split,
            stats, outputs, classification, oneHotWidth, spec)) {
      out.println(Main.fmt("sparkprop: %s, %d training rows%s, %d features -> %s, %d parameters,"
              + " %s, prepared in %.1f s", classification ? "classification (" + outputs
              + " classes)" : "regression (" + outputs + " output" + (outputs > 1 ? "s" : "")
              + ")", train.numRows(), validation == null ? "" : ", " + validation.numRows()
              + " validation rows", scan.featureWidth, describe(spec), spec.numParams(),
          describe(s.optimizer(), train.numRows()), (System.nanoTime() - t0) / 1e9));
      Progress progress = new Progress(out, s.logEvery(), showsLearningRate(s.optimizer()));
      try {
        result = trainer.fit(train,
            validation == null ? null : new Trainer.Validation(validation, metricsSpec), init,
            progress::onEpoch, checkpoints, resume == null ? null : resume.checkpoint());
      } catch (NonFiniteLossException e) {
        throw new NonFiniteLossException(e.getMessage() + (checkpoints == null
            ? " (no checkpoint kept: set checkpoint.dir to keep one)"
            : checkpoints.lastEpoch < 0 ? " (no checkpoint was written before it)"
            : " (the last checkpoint, of epoch " + checkpoints.lastEpoch + ", is kept: 'train "
                + "--resume " + s.checkpointDir() + "' continues from it, with KEY=VALUE "
                + "changes such as a lower optimizer.learning-rate)"));
      }
      progress.summary(result.history());
      if (!result.stopReason().startsWith("completed")) {
        out.println("stopped: " + result.stopReason());
      }
    }
    if (s.testFraction() > 0) {
      try (SparkObjective testData = new SparkObjective(BlockStacker.stack(scan, split,
          Split.TEST, stats, s.blockSize(), oneHotWidth, s.precision()), spec, s.aggregationDepth())) {
        test = testData.evaluate(result.params(), metricsSpec);
      }
      out.println("test: " + test);
    }

    List<EpochStats> history = result.history();
    Map<String, Object> metadata = metadata(spark, s, mapping, classification, result, test);
    Model model = new Model(spec, result.params(), scaling, metadata);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(HISTORY_FILE, historyCsv(history).getBytes(StandardCharsets.UTF_8));
    if (!history.isEmpty()) { // none when L-BFGS found the initial weights converged
      files.put(TrainingPlot.FILE, TrainingPlot.png(history, result.keptEpoch(),
          new org.apache.hadoop.fs.Path(outputDir).getName() + ": " + s.optimizer().id() + ", " + describe(spec)));
    }
    ModelStore.save(spark.sparkContext().hadoopConfiguration(), outputDir, model, s.overwrite(),
        files);
    out.println("model written to " + outputDir);
  }

  /** Writes checkpoints and remembers the last epoch written. */
  private static final class Checkpoints implements Trainer.CheckpointSink {
    final Configuration conf;
    final String dir;
    final String configuration;
    final Scaling scaling;
    int lastEpoch;

    Checkpoints(Configuration conf, String dir, String configuration, Scaling scaling,
        int lastEpoch) {
      this.conf = conf;
      this.dir = dir;
      this.configuration = configuration;
      this.scaling = scaling;
      this.lastEpoch = lastEpoch;
    }

    @Override
    public void save(Checkpoint checkpoint) {
      CheckpointStore.write(conf, dir, checkpoint, configuration, scaling);
      lastEpoch = checkpoint.epoch();
    }
  }

  /** The validation data: the validation split, the validation input, or null. */
  private static SparkObjective validationData(SparkSession spark, Settings s,
      InputMapping mapping, DataScan scan, SplitSpec split, Stats stats,
      int outputs, boolean classification, int oneHotWidth, NetworkSpec spec) {
    if (s.validationFraction() > 0) {
      return new SparkObjective(BlockStacker.stack(scan, split, Split.VALIDATION,
          stats, s.blockSize(), oneHotWidth, s.precision()), spec, s.aggregationDepth());
    }
    if (s.validationInput().isBlank()) {
      return null;
    }
    String path = s.validationInput();
    try {
      Dataset<Row> raw = InputReader.read(spark, path, s.inputFormat());
      mapping.checkSchema(raw, true);
      Dataset<Row> data = mapping.canonical(raw, true);
      DataScan vscan = DataScan.scan(data, mapping, true, scan.featureWidth,
          classification ? outputs : 0);
      if (!classification && vscan.labelWidth != outputs) {
        throw new IllegalArgumentException("label '" + mapping.labelColumn() + "' has "
            + vscan.labelWidth + " values per row, the training input " + outputs);
      }
      try (vscan) { // the blocks are cached and counted: the scan's rows are no longer needed
        return new SparkObjective(BlockStacker.stack(vscan, new SplitSpec(0, 0, 0),
            Split.TRAIN, stats, s.blockSize(), oneHotWidth, s.precision()), spec,
            s.aggregationDepth());
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("validation-input '" + path + "': " + e.getMessage(),
          e);
    }
  }

  private static boolean showsLearningRate(OptimizerSpec optimizer) {
    return optimizer instanceof FirstOrderSpec f
        && (f.steps().schedule().kind() != Schedule.Kind.CONSTANT
            || f.steps().schedule().warmupEpochs() > 0);
  }

  /** The optimizer in a few words: "adam, batches of 64 (23 steps per epoch)". */
  static String describe(OptimizerSpec optimizer, long rows) {
    if (optimizer instanceof FirstOrderSpec f && f.steps().batchSize() > 0) {
      int batches = Batch.count(rows, f.steps().batchSize());
      return optimizer.id() + ", batches of " + f.steps().batchSize() + " (" + batches
          + " step" + (batches > 1 ? "s" : "") + " per epoch)";
    }
    return optimizer.id() + (optimizer instanceof Lbfgs ? "" : ", full batch");
  }

  static NetworkSpec networkSpec(Settings s, int inputs, int outputs, boolean classification) {
    Activation outAct = s.outputActivation().orElse(classification ? Activation.SOFTMAX
        : Activation.IDENTITY);
    Loss loss = s.loss().orElse(classification
        ? (outAct == Activation.SOFTMAX ? Loss.CROSS_ENTROPY
            : outAct == Activation.SIGMOID ? Loss.BINARY_CROSS_ENTROPY : Loss.MSE)
        : Loss.MSE);
    int[] sizes = new int[s.hidden().size() + 2];
    sizes[0] = inputs;
    for (int i = 0; i < s.hidden().size(); i++) {
      sizes[i + 1] = s.hidden().get(i);
    }
    sizes[sizes.length - 1] = outputs;
    if (!classification && loss != Loss.MSE) {
      throw new ConfigException("sparkprop.network.loss " + loss.id() + " is for classification,"
          + " but the label is numeric (regression); use mse or set task=classification");
    }
    try {
      return NetworkSpec.of(sizes, s.hiddenActivation(), outAct, loss);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("network: " + e.getMessage());
    }
  }

  private static void checkWarmStart(Model warm, NetworkSpec spec) {
    if (!warm.spec().equals(spec)) {
      throw new CliException(ExitCode.MODEL, "network.init-from model is " + describe(warm.spec())
          + " with loss " + warm.spec().loss().id() + ", but this run's network is "
          + describe(spec) + " with loss " + spec.loss().id());
    }
  }

  static String describe(NetworkSpec spec) {
    StringBuilder sb = new StringBuilder().append(spec.inputSize());
    for (int l = 0; l < spec.numLayers(); l++) {
      sb.append('-').append(spec.layer(l).outputs());
    }
    List<String> acts = spec.activationIds();
    return sb + " " + acts;
  }

  private static JavaRDD<Block> partitioned(JavaRDD<Block> blocks, int partitions) {
    if (partitions <= 0 || partitions == blocks.getNumPartitions()) {
      return blocks;
    }
    // Deterministic placement: block i of input partition p goes by the key (p, i).
    return blocks.mapPartitionsWithIndex((p, it) -> {
      List<scala.Tuple2<Long, Block>> keyed = new ArrayList<>();
      long i = 0;
      while (it.hasNext()) {
        keyed.add(new scala.Tuple2<>(((long) p << 32) | i++, it.next()));
      }
      return keyed.iterator();
    }, true).mapToPair(t -> t)
        .repartitionAndSortWithinPartitions(new org.apache.spark.HashPartitioner(partitions))
        .values();
  }

  /**
   * Metrics as JSON holds them: a metric that is not a number (R² of a label that is constant
   * in the evaluated rows: 0/0) is written as null rather than failing the save.
   */
  private static Map<String, Object> finiteOrNull(Map<String, Double> metrics) {
    Map<String, Object> m = new LinkedHashMap<>();
    metrics.forEach((k, v) -> m.put(k, v != null && Double.isFinite(v) ? v : null));
    return m;
  }

  private static Map<String, Object> metadata(SparkSession spark, Settings s,
      InputMapping mapping, boolean classification, Trainer.Result result, Metrics test) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task", classification ? "classification" : "regression");
    Map<String, Object> features = new LinkedHashMap<>();
    features.put("kind", mapping.featureKind().name().toLowerCase());
    features.put("columns", mapping.featureColumns());
    m.put("features", features);
    Map<String, Object> label = new LinkedHashMap<>();
    label.put("column", mapping.labelColumn());
    label.put("kind", mapping.labelKind().name().toLowerCase());
    m.put("label", label);
    m.put("classes", mapping.classNames());
    Map<String, Object> training = new LinkedHashMap<>();
    List<EpochStats> history = result.history();
    training.put("epochs", history.size());
    training.put("kept_epoch", result.keptEpoch());
    training.put("stop_reason", result.stopReason());
    if (!history.isEmpty()) {
      EpochStats last = history.get(history.size() - 1);
      training.put("final_train_loss", last.trainLoss());
      if (last.hasValidation()) {
        training.put("final_validation", finiteOrNull(last.validation()));
      }
      if (result.keptEpoch() > 0 && result.keptEpoch() <= history.size()
          && history.get(result.keptEpoch() - 1).hasValidation()) {
        training.put("kept_validation",
            finiteOrNull(history.get(result.keptEpoch() - 1).validation()));
      }
    }
    if (test != null) {
      training.put("test", finiteOrNull(test.summary()));
    }
    m.put("training", training);
    Map<String, Object> provenance = new LinkedHashMap<>();
    provenance.put("sparkprop_version", Version.SPARKPROP);
    provenance.put("spark_version", spark.version());
    provenance.put("java_version", System.getProperty("java.version"));
    provenance.put("blas", dev.ludovic.netlib.blas.BLAS.getInstance().getClass().getSimpleName());
    provenance.put("element_wise", dev.sparkprop.nn.VectorMath.path());
    provenance.put("master", spark.sparkContext().master());
    provenance.put("seed", s.seed());
    provenance.put("trained_at", Instant.now().toString());
    provenance.put("configuration", s.effective());
    m.put("provenance", provenance);
    return m;
  }

  static String historyCsv(List<EpochStats> history) {
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
      sb.append(',').append(Main.fmt("%.6f", e.seconds())).append(',')
          .append(Main.fmt("%.1f", e.rowsPerSecond())).append(',').append(e.steps()).append(',')
          .append(Double.isNaN(e.learningRate()) ? "" : String.valueOf(e.learningRate()))
          .append('\n');
    }
    return sb.toString();
  }

  private static String quoted(String v) {
    return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
