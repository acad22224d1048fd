package dev.sparkprop.cli;

import dev.sparkprop.io.AtomicOutput;
import dev.sparkprop.io.InputException;
import dev.sparkprop.io.InputReader;
import java.io.PrintStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code sparkprop convert}: a CSV file with a header row to Parquet (one part file, column types
 * inferred). This is how the data sets shipped in {@code src/data} were made.
 */
final class ConvertCommand {
  private ConvertCommand() {}

  static void run(Args args, PrintStream out) {
    args.allow("input", "output", "overwrite");
    String input = args.require("input", "CSV");
    String output = args.require("output", "PARQUET");
    boolean overwrite = args.has("overwrite");
    SparkSession spark = SparkSessions.start(args, "convert", out);
    try {
      AtomicOutput.checkWritable(spark.sparkContext().hadoopConfiguration(), output, overwrite);
      Dataset<Row> df = InputReader.read(spark, input, "csv");
      long rows = df.count();
      if (rows == 0) {
        throw new InputException("input '" + input + "' has no rows");
      }
      AtomicOutput.write(spark.sparkContext().hadoopConfiguration(), output, overwrite,
          tmp -> df.coalesce(1).write().parquet(tmp));
      out.println(Main.fmt("wrote %d rows x %d columns to %s", rows, df.columns().length, output));
    } finally {
      spark.stop();
    }
  }
}
