package dev.sparkprop.spark;

import dev.sparkprop.io.InputException;
import dev.sparkprop.io.InputMapping;
import dev.sparkprop.io.Model;
import dev.sparkprop.io.Scaling;
import dev.sparkprop.io.Version;
import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.nn.VectorMath;
import dev.sparkprop.spark.BlockStacker.SplitSpec;
import dev.sparkprop.spark.BlockStacker.Stats;
import dev.sparkprop.train.Checkpoint;
import dev.sparkprop.train.EpochStats;
import dev.sparkprop.train.Metrics;
import dev.sparkprop.train.TrainConfig;
import dev.sparkprop.train.Trainer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The one training path of the library: a {@code Dataset<Row>} and a {@link FitSpec} in, a
 * {@link TrainedModel} out. The command line and the Spark ML Estimators both call it and add
 * only their own parsing, printing and saving.
 *
 * <p>The steps, in order: map the columns ({@link InputMapping}), check every value and count
 * the rows ({@link DataScan}), build the network for the data's widths, compute the scaling on
 * the training rows, stack and cache the blocks ({@link BlockStacker}), train
 * ({@link Trainer} on a {@link SparkObjective}), evaluate the test split, describe the model.
 *
 * <pre>{@code
 * TrainedModel m = new Training(spec).validation(heldOut).fit(data);
 * }</pre>
 */
public final class Training {
  /** What the caller hears while a fit runs; both methods are called on the driver. */
  public interface Listener {
    /** The data is checked and cached, the network built; training starts next. */
    default void onPrepared(Prepared prepared) {}

    default void onEpoch(EpochStats stats) {}
  }

  /** Receives checkpoints with the run's scaling (known once the data is prepared). */
  @FunctionalInterface
  public interface CheckpointSink {
    void save(Checkpoint checkpoint, Scaling scaling);
  }

  /** The separate validation data cannot be used; the message says why. */
  public static final class ValidationDataException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    ValidationDataException(IllegalArgumentException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** The warm-start model's network is not the one this fit builds for the data. */
  public static final class WarmStartMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** What the two networks are, for a message: "64-64-10 [tanh, softmax] with loss ...". */
    public final String model;
    public final String network;

    WarmStartMismatchException(NetworkSpec model, NetworkSpec network) {
      super("the warm-start model is " + describe(model) + ", but this run's network is "
          + describe(network));
      this.model = describe(model);
      this.network = describe(network);
    }

    private static String describe(NetworkSpec spec) {
      return TrainedModel.describe(spec) + " with loss " + spec.loss().id();
    }
  }

  /**
   * The prepared fit: task and widths, the network, the training and validation row counts
   * (validation -1 without validation data), and the preparation's wall time.
   */
  public record Prepared(boolean classification, int outputs, long trainRows,
      long validationRows, int featureWidth, NetworkSpec network, double seconds) {}

  private final FitSpec spec;
  private Dataset<Row> validation;
  private Model warmStart;
  private double[] initialParams;
  private Checkpoint resume;
  private Scaling resumeScaling;
  private CheckpointSink checkpoints;
  private Listener listener = new Listener() {};
  private Map<String, Object> configuration = Map.of();

  public Training(FitSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
  }

  /** Validation data with the training data's columns, evaluated every epoch; null for none. */
  public Training validation(Dataset<Row> data) {
    this.validation = data;
    return this;
  }

  /**
   * Starts from a saved model's parameters and scaling (warm start); its network must equal
   * this fit's.
   */
  public Training warmStart(Model model) {
    this.warmStart = model;
    return this;
  }

  /** Starts from these parameters (the network's flat layout) instead of a seeded init. */
  public Training initialParams(double[] params) {
    this.initialParams = params == null ? null : params.clone();
    return this;
  }

  /** Continues the run of {@code checkpoint}, whose scaling was {@code scaling}. */
  public Training resume(Checkpoint checkpoint, Scaling scaling) {
    this.resume = checkpoint;
    this.resumeScaling = scaling;
    return this;
  }

  /** Where checkpoints go ({@link FitSpec#checkpointEvery} epochs apart); null for none. */
  public Training checkpoints(CheckpointSink sink) {
    this.checkpoints = sink;
    return this;
  }

  public Training listener(Listener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /** The caller's configuration as JSON values, saved in the model's provenance. */
  public Training configuration(Map<String, Object> configuration) {
    this.configuration = Map.copyOf(configuration);
    return this;
  }

  /**
   * Trains on {@code data}.
   *
   * @throws IllegalArgumentException naming the column, row or setting, for unusable input
   * @throws FitSpecException when the settings do not fit the data's shape
   * @throws dev.sparkprop.train.NonFiniteLossException when training diverges
   */
  public TrainedModel fit(Dataset<Row> data) {
    long t0 = System.nanoTime();
    InputMapping mapping = InputMapping.forTraining(data, spec.features(), spec.labelColumns(),
        spec.task().id());
    Dataset<Row> canonical = mapping.canonical(data, true);
    try (DataScan scan = DataScan.scan(canonical, mapping, true, -1, spec.numClasses())) {
      return fit(data, t0, mapping, scan);
    }
  }

  /** {@link #fit(Dataset)} on the scanned rows (read once and cached until the fit ends). */
  private TrainedModel fit(Dataset<Row> data, long t0, InputMapping mapping, DataScan scan) {

    boolean classification = mapping.isClassification();
    int outputs = classification ? classCount(mapping, scan) : scan.labelWidth;
    NetworkSpec network = network(scan.featureWidth, outputs, classification);
    boolean oneHot = classification && network.loss() != Loss.CROSS_ENTROPY;
    int oneHotWidth = oneHot ? outputs : 0;

    SplitSpec split = spec.split();
    Scaling scaling = scaling(scan, split, network, classification);
    Stats stats = new Stats(scaling.featureMean(), scaling.featureStd(), scaling.labelMean(),
        scaling.labelStd(), 0);
    JavaRDD<Block> trainBlocks = partitioned(BlockStacker.stack(scan, split,
        Split.TRAIN, stats, spec.blockSize(), oneHotWidth, spec.precision()), spec.partitions());
    Metrics.Spec metricsSpec = classification ? Metrics.Spec.classification(outputs)
        : Metrics.Spec.regression(outputs, scaling.labelMean(), scaling.labelStd());
    double[] init = resume != null ? resume.params()
        : warmStart != null ? warmStart.params()
        : initialParams != null ? checkedInitial(network)
        : spec.init().initialize(network, spec.seed());
    TrainConfig config = new TrainConfig(network, spec.optimizer(), spec.epochs(), spec.seed(),
        spec.earlyStopping(), spec.checkpointEvery());
    Trainer trainer = new Trainer(config, new BreezeLbfgs());
    Trainer.Result result;
    try (SparkObjective train = new SparkObjective(trainBlocks, network, spec.aggregationDepth());
        SparkObjective held = validationData(mapping, scan, split, stats, outputs,
            classification, oneHotWidth, network)) {
      listener.onPrepared(new Prepared(classification, outputs, train.numRows(),
          held == null ? -1 : held.numRows(), scan.featureWidth, network,
          (System.nanoTime() - t0) / 1e9));
      result = trainer.fit(train, held == null ? null : new Trainer.Validation(held, metricsSpec),
          init, listener::onEpoch, checkpoints == null ? null
              : checkpoint -> checkpoints.save(checkpoint, scaling), resume);
    }
    Metrics test = null;
    if (spec.testFraction() > 0) {
      try (SparkObjective testData = new SparkObjective(BlockStacker.stack(scan, split,
          Split.TEST, stats, spec.blockSize(), oneHotWidth, spec.precision()), network,
          spec.aggregationDepth())) {
        test = testData.evaluate(result.params(), metricsSpec);
      }
    }
    Model model = new Model(network, result.params(), scaling,
        metadata(data, mapping, result, test));
    return new TrainedModel(model, mapping, result.history(), result.keptEpoch(),
        result.stopReason(), test);
  }

  private double[] checkedInitial(NetworkSpec network) {
    if (initialParams.length != network.numParams()) {
      throw new FitSpecException("initial weights have " + initialParams.length
          + " values, but the network " + TrainedModel.describe(network) + " has "
          + network.numParams() + " parameters");
    }
    return initialParams.clone();
  }

  private int classCount(InputMapping mapping, DataScan scan) {
    List<String> names = mapping.classNames();
    int outputs = names != null ? names.size()
        : spec.numClasses() > 0 ? spec.numClasses() : scan.classCounts.length;
    if (outputs < 2) {
      throw new InputException("label '" + spec.label() + "' has only class 0; "
          + "classification needs at least 2 classes");
    }
    if (spec.everyClassPresent()) {
      for (int k = 0; k < outputs; k++) {
        if (k >= scan.classCounts.length || scan.classCounts[k] == 0) {
          throw new InputException("class " + k + " of label '" + spec.label()
              + "' has no rows, but classes must be 0.." + (outputs - 1) + " with every class"
              + " present; renumber the classes");
        }
      }
    }
    return outputs;
  }

  /** The network for the data's widths, with the output activation and loss resolved. */
  NetworkSpec network(int inputs, int outputs, boolean classification) {
    Activation outAct = spec.outputActivation() != null ? spec.outputActivation()
        : classification ? Activation.SOFTMAX : Activation.IDENTITY;
    Loss loss = spec.loss() != null ? spec.loss()
        : !classification ? Loss.MSE
        : outAct == Activation.SOFTMAX ? Loss.CROSS_ENTROPY
        : outAct == Activation.SIGMOID ? Loss.BINARY_CROSS_ENTROPY : Loss.MSE;
    if (!classification && loss != Loss.MSE) {
      throw new FitSpecException("loss " + loss.id() + " is for classification, but the label "
          + "is numeric (regression); use mse or set the task to classification");
    }
    int[] sizes = new int[spec.hidden().size() + 2];
    sizes[0] = inputs;
    for (int i = 0; i < spec.hidden().size(); i++) {
      sizes[i + 1] = spec.hidden().get(i);
    }
    sizes[sizes.length - 1] = outputs;
    try {
      return NetworkSpec.of(sizes, spec.hiddenActivation(), outAct, loss);
    } catch (IllegalArgumentException e) {
      throw new FitSpecException("network: " + e.getMessage());
    }
  }

  private Scaling scaling(DataScan scan, SplitSpec split,
      NetworkSpec network, boolean classification) {
    if (resume != null) {
      return resumeScaling == null ? Scaling.NONE : resumeScaling;
    }
    if (warmStart != null) {
      if (!warmStart.spec().equals(network)) {
        throw new WarmStartMismatchException(warmStart.spec(), network);
      }
      return warmStart.scaling();
    }
    boolean scaleLabel = spec.standardizeLabel() && !classification;
    if (!spec.standardizeFeatures() && !scaleLabel) {
      return Scaling.NONE;
    }
    Stats st = BlockStacker.stats(scan, split, Split.TRAIN, spec.standardizeFeatures(),
        scaleLabel);
    return new Scaling(st.featureMean(), st.featureStd(), st.labelMean(), st.labelStd());
  }

  /** The validation data: the validation split, the separate validation data, or null. */
  private SparkObjective validationData(InputMapping mapping, DataScan scan, SplitSpec split, Stats stats, int outputs, boolean classification,
      int oneHotWidth, NetworkSpec network) {
    if (spec.validationFraction() > 0) {
      return new SparkObjective(BlockStacker.stack(scan, split, Split.VALIDATION,
          stats, spec.blockSize(), oneHotWidth, spec.precision()), network,
          spec.aggregationDepth());
    }
    if (validation == null) {
      return null;
    }
    Dataset<Row> data;
    DataScan vscan;
    try {
      mapping.checkSchema(validation, true);
      data = mapping.canonical(validation, true);
      vscan = DataScan.scan(data, mapping, true, scan.featureWidth,
          classification ? outputs : 0);
      if (!classification && vscan.labelWidth != outputs) {
        throw new InputException("label '" + mapping.labelColumn() + "' has "
            + vscan.labelWidth + " values per row, the training input " + outputs);
      }
    } catch (ValidationDataException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new ValidationDataException(e);
    }
    try (vscan) { // the blocks are cached and counted: the scan's rows are no longer needed
      return new SparkObjective(BlockStacker.stack(vscan, new SplitSpec(0, 0, 0),
          Split.TRAIN, stats, spec.blockSize(), oneHotWidth, spec.precision()), network,
          spec.aggregationDepth());
    }
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

  /** The model's metadata.json content: what its inputs mean, how it was trained, provenance. */
  private Map<String, Object> metadata(Dataset<Row> data, InputMapping mapping,
      Trainer.Result result, Metrics test) {
    Map<String, Object> m = new LinkedHashMap<>(TrainedModel.describe(mapping));
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
    provenance.put("spark_version", data.sparkSession().version());
    provenance.put("java_version", System.getProperty("java.version"));
    provenance.put("blas", dev.ludovic.netlib.blas.BLAS.getInstance().getClass().getSimpleName());
    provenance.put("element_wise", VectorMath.path());
    provenance.put("master", data.sparkSession().sparkContext().master());
    provenance.put("seed", spec.seed());
    provenance.put("trained_at", Instant.now().toString());
    provenance.put("configuration", configuration);
    m.put("provenance", provenance);
    return m;
  }
}
