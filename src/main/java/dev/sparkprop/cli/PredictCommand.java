package dev.sparkprop.cli;

import dev.sparkprop.io.AtomicOutput;
import dev.sparkprop.io.InputReader;
import dev.sparkprop.spark.TrainedModel;
import java.io.IOException;
import java.io.PrintStream;
import org.apache.spark.sql.SparkSession;

/** {@code sparkprop predict}: a model and input rows to Parquet with predictions appended. */
final class PredictCommand {
  private PredictCommand() {}

  static void run(Args args, PrintStream out) throws IOException {
    args.allow("model", "input", "output", "overwrite", "input-format");
    String modelDir = args.require("model", "DIR (a directory written by 'sparkprop train')");
    String input = args.require("input", "PATH (Parquet or CSV)");
    String output = args.require("output", "PATH (the Parquet directory to write)");
    boolean overwrite = args.has("overwrite");
    TrainedModel model = TrainedModel.load(SparkSessions.hadoopConfiguration(), modelDir);
    SparkSession spark = SparkSessions.start(args, "predict", out);
    try {
      AtomicOutput.checkWritable(spark.sparkContext().hadoopConfiguration(), output, overwrite);
      TrainedModel.Predictions predictions = model.predict(InputReader.read(spark, input,
          args.has("input-format") ? args.get("input-format") : "auto"), modelDir);
      AtomicOutput.write(spark.sparkContext().hadoopConfiguration(), output, overwrite,
          tmp -> predictions.data().write().parquet(tmp));
      out.println(Main.fmt("wrote %d predictions to %s", predictions.rows(), output));
    } finally {
      spark.stop();
    }
  }
}
