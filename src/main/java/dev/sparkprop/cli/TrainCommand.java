package dev.sparkprop.cli;

import dev.sparkprop.io.AtomicOutput;
import dev.sparkprop.io.CheckpointStore;
import dev.sparkprop.io.InputReader;
import dev.sparkprop.io.Model;
import dev.sparkprop.io.ModelStore;
import dev.sparkprop.io.Scaling;
import dev.sparkprop.optim.FirstOrderSpec;
import dev.sparkprop.optim.Lbfgs;
import dev.sparkprop.optim.OptimizerSpec;
import dev.sparkprop.optim.Schedule;
import dev.sparkprop.spark.FitSpec;
import dev.sparkprop.spark.FitSpecException;
import dev.sparkprop.spark.TrainedModel;
import dev.sparkprop.spark.Training;
import dev.sparkprop.train.Batch;
import dev.sparkprop.train.Checkpoint;
import dev.sparkprop.train.EarlyStopping;
import dev.sparkprop.train.EpochStats;
import dev.sparkprop.train.NonFiniteLossException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * {@code sparkprop train}: data in, model directory out, one progress line per epoch; or
 * {@code train --resume DIR}: the run whose latest checkpoint is in DIR, continued with the
 * configuration saved in it (KEY=VALUE settings on the command line still apply on top).
 */
final class TrainCommand {
  private TrainCommand() {}

  static final String HISTORY_FILE = TrainedModel.HISTORY_FILE;

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
            + "checkpoint '" + stored.location() + "'", overrides, warning(out));
        out.println(Main.fmt("sparkprop: resuming from %s (epoch %d of %d)", stored.location(),
            stored.checkpoint().epoch(), s.epochs()));
        train(spark, checked(s), null, stored, out);
      } finally {
        spark.stop();
      }
      return;
    }
    Settings s = checked(Settings.load(args.has("conf") ? Path.of(args.get("conf")) : null,
        overrides, warning(out)));
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
    String outputDir = s.output();
    Training training = new Training(fitSpec(s)).configuration(s.effective());
    if (!s.validationInput().isBlank()) {
      try {
        training.validation(InputReader.read(spark, s.validationInput(), s.inputFormat()));
      } catch (IllegalArgumentException e) {
        throw validationInput(s, e);
      }
    }
    if (warm != null) {
      training.warmStart(warm);
    }
    if (resume != null) {
      training.resume(resume.checkpoint(), resume.scaling());
    }
    Progress progress = new Progress(out, s.logEvery(), showsLearningRate(s.optimizer()));
    training.listener(new Training.Listener() {
      @Override
      public void onPrepared(Training.Prepared p) {
        out.println(Main.fmt("sparkprop: %s, %d training rows%s, %d features -> %s, %d "
                + "parameters, %s, prepared in %.1f s", p.classification() ? "classification ("
                + p.outputs() + " classes)" : "regression (" + p.outputs() + " output"
                + (p.outputs() > 1 ? "s" : "") + ")", p.trainRows(), p.validationRows() < 0 ? ""
                : ", " + p.validationRows() + " validation rows", p.featureWidth(),
            TrainedModel.describe(p.network()), p.network().numParams(),
            describe(s.optimizer(), p.trainRows()), p.seconds()));
      }

      @Override
      public void onEpoch(EpochStats stats) {
        progress.onEpoch(stats);
      }
    });
    Checkpoints checkpoints = s.checkpointDir().isEmpty() ? null : new Checkpoints(
        spark.sparkContext().hadoopConfiguration(), s.checkpointDir(), s.render(),
        resume == null ? -1 : resume.checkpoint().epoch());
    training.checkpoints(checkpoints);
    TrainedModel result;
    try {
      result = training.fit(InputReader.read(spark, s.input(), s.inputFormat()));
    } catch (Training.WarmStartMismatchException e) {
      throw new CliException(ExitCode.MODEL, "network.init-from model is " + e.model
          + ", but this run's network is " + e.network);
    } catch (FitSpecException e) {
      throw new ConfigException(e.getMessage());
    } catch (NonFiniteLossException e) {
      throw new NonFiniteLossException(e.getMessage() + (checkpoints == null
          ? " (no checkpoint kept: set checkpoint.dir to keep one)"
          : checkpoints.lastEpoch < 0 ? " (no checkpoint was written before it)"
          : " (the last checkpoint, of epoch " + checkpoints.lastEpoch + ", is kept: 'train "
              + "--resume " + s.checkpointDir() + "' continues from it, with KEY=VALUE "
              + "changes such as a lower optimizer.learning-rate)"));
    } catch (Training.ValidationDataException e) {
      throw validationInput(s, e);
    }
    List<EpochStats> history = result.history();
    progress.summary(history);
    if (!result.stopReason().startsWith("completed")) {
      out.println("stopped: " + result.stopReason());
    }
    if (result.test() != null) {
      out.println("test: " + result.test());
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(HISTORY_FILE, result.historyCsv().getBytes(StandardCharsets.UTF_8));
    if (!history.isEmpty()) { // none when L-BFGS found the initial weights converged
      files.put(TrainingPlot.FILE, TrainingPlot.png(history, result.keptEpoch(),
          new org.apache.hadoop.fs.Path(outputDir).getName() + ": " + s.optimizer().id() + ", "
              + TrainedModel.describe(result.network())));
    }
    result.save(spark.sparkContext().hadoopConfiguration(), outputDir, s.overwrite(), files);
    out.println("model written to " + outputDir);
  }

  private static IllegalArgumentException validationInput(Settings s,
      IllegalArgumentException e) {
    return new IllegalArgumentException("validation-input '" + s.validationInput() + "': "
        + e.getMessage(), e);
  }

  /** Prints a setting that does not apply as one line, {@code sparkprop: warning: ...}. */
  private static java.util.function.Consumer<String> warning(PrintStream out) {
    return w -> out.println("sparkprop: warning: " + w);
  }

  /** The library's training settings from the command line's configuration. */
  static FitSpec fitSpec(Settings s) {
    return new FitSpec(s.features(), s.label().get(0), FitSpec.Task.fromId(s.task()),
        s.standardizeFeatures(), s.standardizeLabel(), s.testFraction(), s.validationFraction(),
        s.hidden(), s.hiddenActivation(), s.outputActivation().orElse(null),
        s.loss().orElse(null), s.init(), s.precision(), s.optimizer(), s.epochs(), s.seed(),
        new EarlyStopping(s.earlyStoppingPatience(), s.earlyStoppingMinDelta()),
        s.checkpointEvery(), s.blockSize(), s.aggregationDepth(), s.partitions(), 0, true,
        s.label());
  }

  /** Writes checkpoints and remembers the last epoch written. */
  private static final class Checkpoints implements Training.CheckpointSink {
    final Configuration conf;
    final String dir;
    final String configuration;
    int lastEpoch;

    Checkpoints(Configuration conf, String dir, String configuration, int lastEpoch) {
      this.conf = conf;
      this.dir = dir;
      this.configuration = configuration;
      this.lastEpoch = lastEpoch;
    }

    @Override
    public void save(Checkpoint checkpoint, Scaling scaling) {
      CheckpointStore.write(conf, dir, checkpoint, configuration, scaling);
      lastEpoch = checkpoint.epoch();
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

  private static String quoted(String v) {
    return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
