package dev.sparkprop.ml;

import dev.sparkprop.io.CheckpointStore;
import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Init;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.Precision;
import dev.sparkprop.optim.Adam;
import dev.sparkprop.optim.GradientDescent;
import dev.sparkprop.optim.Lbfgs;
import dev.sparkprop.optim.Momentum;
import dev.sparkprop.optim.OptimizerSpec;
import dev.sparkprop.optim.Schedule;
import dev.sparkprop.optim.StepSpec;
import dev.sparkprop.spark.FitSpec;
import dev.sparkprop.spark.TrainedModel;
import dev.sparkprop.spark.Training;
import dev.sparkprop.train.EarlyStopping;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.Iterator;

/**
 * From an Estimator's Params to the library's one training path: the {@link FitSpec}, the
 * optimizer, the validation rows, checkpoints; then {@link Training#fit}. No training step of
 * its own.
 */
final class Fits {
  private Fits() {}

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Fits.class);

  /**
   * Trains on {@code dataset} (its label column already a double, as Spark's
   * {@code Predictor.fit} leaves it).
   *
   * @param numClasses classes known from the label's metadata, 0 for regression or unknown
   */
  static TrainedModel fit(SparkpropParams p, Dataset<?> dataset, String featuresCol,
      String labelCol, FitSpec.Task task, int numClasses) {
    Dataset<Row> data = dataset.toDF();
    Dataset<Row> validation = null;
    if (p.isDefined(p.validationIndicatorCol())) {
      String indicator = p.getValidationIndicatorCol();
      StructField f = field(data.schema(), indicator, "validationIndicatorCol");
      if (!f.dataType().equals(DataTypes.BooleanType)) {
        throw new IllegalArgumentException("validationIndicatorCol '" + indicator + "' must be "
            + "of type boolean but was actually " + f.dataType().simpleString());
      }
      Column ind = data.col(quote(indicator));
      long nulls = data.filter(ind.isNull()).limit(1).count();
      if (nulls > 0) {
        throw new IllegalArgumentException("validationIndicatorCol '" + indicator + "' has null "
            + "values; every row must say true (validation) or false (training)");
      }
      validation = data.filter(ind);
      data = data.filter(functions.not(ind));
    } else if (p.getEarlyStoppingPatience() > 0) {
      throw new IllegalArgumentException("earlyStoppingPatience " + p.getEarlyStoppingPatience()
          + " needs validation data: set validationIndicatorCol");
    }
    FitSpec spec = spec(p, featuresCol, labelCol, task, numClasses);
    Map<String, Object> params = params(p);
    LOG.info("{} {}: fitting with {}", p.getClass().getSimpleName(), p.uid(), params);
    Training training = new Training(spec).validation(validation).configuration(params)
        .listener(new Training.Listener() {
          @Override
          public void onPrepared(Training.Prepared prepared) {
            LOG.info("{}: {} training rows{}, network {}, {} parameters, prepared in {} s",
                p.uid(), prepared.trainRows(), prepared.validationRows() < 0 ? ""
                    : ", " + prepared.validationRows() + " validation rows",
                TrainedModel.describe(prepared.network()), prepared.network().numParams(),
                String.format(java.util.Locale.ROOT, "%.1f", prepared.seconds()));
          }

          @Override
          public void onEpoch(dev.sparkprop.train.EpochStats e) {
            LOG.info("{}: epoch {}/{} loss {}{}", p.uid(), e.epoch(), e.epochs(), e.trainLoss(),
                e.hasValidation() ? " validation loss " + e.validationLoss() : "");
          }
        });
    if (p.isDefined(p.initialWeights())) {
      training.initialParams(p.getInitialWeights());
    }
    if (p.isDefined(p.checkpointDir())) {
      String dir = p.getCheckpointDir();
      Configuration conf = data.sparkSession().sparkContext().hadoopConfiguration();
      String configuration = configurationText(p);
      if (CheckpointStore.latestEpoch(conf, dir).isPresent()) {
        CheckpointStore.Stored stored = CheckpointStore.latest(conf, dir);
        if (!stored.configuration().equals(configuration)) {
          throw new IllegalArgumentException("checkpointDir '" + dir + "' holds a checkpoint of "
              + "a fit with other params; use another directory or delete it");
        }
        training.resume(stored.checkpoint(), stored.scaling());
      }
      training.checkpoints((checkpoint, scaling) -> CheckpointStore.write(conf, dir, checkpoint,
          configuration, scaling));
    }
    return training.fit(data);
  }

  /** The library's settings from the Params. */
  static FitSpec spec(SparkpropParams p, String featuresCol, String labelCol, FitSpec.Task task,
      int numClasses) {
    List<Integer> hidden = Arrays.stream(p.getHiddenLayers()).boxed().toList();
    String out = p.getOutputActivation();
    String loss = p.getLoss();
    return new FitSpec(List.of(featuresCol), labelCol, task, p.getStandardization(),
        p.getStandardizeLabel(), 0.0, 0.0, hidden, Activation.fromId(p.getHiddenActivation()),
        out.equals("auto") ? null : Activation.fromId(out),
        loss.equals("auto") ? null : Loss.fromId(loss), Init.parse(p.getInitialization()),
        Precision.fromId(p.getPrecision()), optimizer(p), p.getMaxIter(), p.getSeed(),
        new EarlyStopping(p.getEarlyStoppingPatience(), p.getEarlyStoppingMinDelta()),
        p.getCheckpointInterval(), p.getBlockSize(), p.getAggregationDepth(),
        p.getNumPartitions(), numClasses, false);
  }

  /** The optimizer that {@code solver} names, from its Params. */
  static OptimizerSpec optimizer(SparkpropParams p) {
    String solver = p.getSolver();
    if (solver.equals("lbfgs")) {
      return new Lbfgs(p.getHistorySize(), p.getTol(), p.getRegParam());
    }
    int batch = p.getBatchSize();
    if (solver.equals("sgd") && batch < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1 for solver sgd (0 means full "
          + "batch: use solver gd), got " + batch);
    }
    Schedule schedule = new Schedule(Schedule.Kind.fromId(p.getLearningRateSchedule()),
        p.getScheduleEpochs(), p.getScheduleRate(), p.getMinLearningRate(), p.getWarmupEpochs());
    StepSpec steps = new StepSpec(p.getStepSize(), schedule, solver.equals("gd") ? 0 : batch,
        p.getClipNorm(), p.getRegParam());
    if (p.getLocalSteps() > 1) {
      if (steps.batchSize() == 0) {
        throw new IllegalArgumentException("localSteps = " + p.getLocalSteps() + " needs "
            + "mini-batches: solver sgd, momentum or adam with batchSize >= 1");
      }
      steps = steps.withLocalSteps(p.getLocalSteps());
    }
    return switch (solver) {
      case "gd", "sgd" -> new GradientDescent(steps);
      case "momentum" -> new Momentum(steps, p.getMomentum(), p.getNesterov());
      case "adam" -> new Adam(steps, p.getBeta1(), p.getBeta2(), p.getEpsilon());
      default -> throw new IllegalArgumentException("solver must be one of "
          + SparkpropParamSet.SOLVERS + ", got '" + solver + "'");
    };
  }

  /** Every Param with a value (set or default), sorted by name, as JSON values (provenance). */
  static Map<String, Object> params(SparkpropParams p) {
    Iterator<ParamPair<?>> it = p.extractParamMap().toSeq().iterator();
    java.util.TreeMap<String, Object> sorted = new java.util.TreeMap<>();
    while (it.hasNext()) {
      ParamPair<?> pair = it.next();
      Object v = pair.value();
      if (v instanceof int[] a) {
        v = Arrays.stream(a).boxed().toList();
      } else if (v instanceof double[] a) {
        v = a.length > 16 ? "[" + a.length + " values]" : Arrays.stream(a).boxed().toList();
      } else if (!(v instanceof String || v instanceof Boolean || v instanceof Number)) {
        v = String.valueOf(v);
      }
      sorted.put(pair.param().name(), v);
    }
    return sorted;
  }

  /** The Params as one line of text: what a checkpoint must match to be resumed. */
  private static String configurationText(SparkpropParams p) {
    Map<String, Object> m = new LinkedHashMap<>(params(p));
    m.remove("checkpointDir");
    m.remove("checkpointInterval");
    m.remove("maxIter"); // a resumed fit may run for more epochs
    return m.toString();
  }

  static StructField field(StructType schema, String name, String role) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(role + " column '" + name + "' does not exist; the "
        + "input has columns: " + String.join(", ", schema.fieldNames()));
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
