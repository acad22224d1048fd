package dev.sparkprop.cli;

import dev.sparkprop.io.InputReader;
import dev.sparkprop.spark.TrainedModel;
import dev.sparkprop.train.Metrics;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** {@code sparkprop evaluate}: metrics of a model on labelled data. */
final class EvaluateCommand {
  private EvaluateCommand() {}

  static void run(Args args, PrintStream out) throws IOException {
    args.allow("model", "input", "input-format");
    String modelDir = args.require("model", "DIR (a directory written by 'sparkprop train')");
    String input = args.require("input", "PATH (labelled Parquet or CSV)");
    TrainedModel model = TrainedModel.load(SparkSessions.hadoopConfiguration(), modelDir);
    SparkSession spark = SparkSessions.start(args, "evaluate", out);
    try {
      Metrics m = model.evaluate(InputReader.read(spark, input,
          args.has("input-format") ? args.get("input-format") : "auto"), modelDir);
      print(m, model.classNames(), out);
    } finally {
      spark.stop();
    }
  }

  static void print(Metrics m, List<String> names, PrintStream out) {
    out.println(Main.fmt("rows       %d", m.rows()));
    out.println(Main.fmt("loss       %.6f", m.loss()));
    if (!m.isClassification()) {
      out.println(Main.fmt("rmse       %.6f", m.rmse()));
      out.println(Main.fmt("mae        %.6f", m.mae()));
      out.println(Main.fmt("r2         %.6f", m.r2()));
      return;
    }
    out.println(Main.fmt("accuracy   %.6f", m.accuracy()));
    out.println(Main.fmt("log_loss   %.6f", m.logLoss()));
    long[][] c = m.confusionMatrix();
    int k = c.length;
    int w = 6;
    for (int i = 0; i < k; i++) {
      w = Math.max(w, name(names, i).length() + 1);
    }
    out.println();
    out.println(Main.fmt("%-" + w + "s %9s %9s %9s", "class", "precision", "recall", "rows"));
    for (int i = 0; i < k; i++) {
      long rows = 0;
      for (long v : c[i]) {
        rows += v;
      }
      out.println(Main.fmt("%-" + w + "s %9.4f %9.4f %9d", name(names, i), m.precision(i),
          m.recall(i), rows));
    }
    out.println();
    out.println("confusion matrix (rows: actual, columns: predicted)");
    StringBuilder header = new StringBuilder(Main.fmt("%-" + w + "s", ""));
    for (int j = 0; j < k; j++) {
      header.append(Main.fmt(" %6s", abbreviate(name(names, j))));
    }
    out.println(header);
    for (int i = 0; i < k; i++) {
      StringBuilder row = new StringBuilder(Main.fmt("%-" + w + "s", name(names, i)));
      for (int j = 0; j < k; j++) {
        row.append(Main.fmt(" %6d", c[i][j]));
      }
      out.println(row);
    }
  }

  private static String name(List<String> names, int k) {
    return names == null ? String.valueOf(k) : names.get(k);
  }

  private static String abbreviate(String s) {
    return s.length() <= 6 ? s : s.substring(0, 6);
  }
}
