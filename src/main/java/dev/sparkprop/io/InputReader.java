package dev.sparkprop.io;

import java.io.IOException;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads training or prediction input: Parquet (a file or a directory of part files), CSV with a
 * header row, or JSON lines.
 */
public final class InputReader {
  private InputReader() {}

  /**
   * Reads {@code path}. {@code format} is {@code parquet}, {@code csv} or {@code auto} (a name
   * ending in .csv is CSV, anything else Parquet). CSV needs a header row; column types are
   * inferred.
   *
   * @throws IllegalArgumentException if the path does not exist or cannot be read as that format
   */
  public static Dataset<Row> read(SparkSession spark, String path, String format) {
    if (path == null || path.isBlank()) {
      throw new InputException("no input given; pass input=PATH");
    }
    checkExists(spark, path, "input");
    String fmt = resolveFormat(path, format);
    try {
      Dataset<Row> df = switch (fmt) {
        case "csv" -> spark.read().option("header", "true").option("inferSchema", "true")
            .option("mode", "FAILFAST").csv(path);
        case "json" -> spark.read().option("mode", "FAILFAST").json(path);
        default -> spark.read().parquet(path);
      };
      if (df.schema().fields().length == 0) {
        throw new InputException("input '" + path + "' has no columns");
      }
      return df;
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) { // Spark throws SparkException, a checked exception, from Scala code
      throw new InputException("input '" + path + "' cannot be read as " + fmt + ": "
          + firstLine(e), e);
    }
  }

  /**
   * {@code csv}, {@code json} or {@code parquet} for a path and a configured format; {@code auto}
   * goes by the extension: {@code .csv} is CSV, {@code .json}/{@code .jsonl} is JSON lines,
   * anything else Parquet.
   */
  public static String resolveFormat(String path, String format) {
    String f = format == null ? "auto" : format.toLowerCase(Locale.ROOT);
    if (f.equals("auto")) {
      String p = path.toLowerCase(Locale.ROOT);
      return p.endsWith(".csv") ? "csv" : p.endsWith(".json") || p.endsWith(".jsonl") ? "json"
          : "parquet";
    }
    if (!f.equals("csv") && !f.equals("parquet") && !f.equals("json")) {
      throw new InputException("input format must be auto, parquet, csv or json, got "
          + format);
    }
    return f;
  }

  /** Throws a one-line error unless {@code path} exists on its (Hadoop-compatible) file system. */
  public static void checkExists(SparkSession spark, String path, String what) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        throw new InputException(what + " '" + path + "' does not exist");
      }
    } catch (IOException e) {
      throw new InputException(what + " '" + path + "' cannot be accessed: "
          + firstLine(e), e);
    }
  }

  /** The first line of an exception's message (Spark's messages run to many lines). */
  public static String firstLine(Throwable e) {
    Throwable t = e;
    String m = t.getMessage();
    while ((m == null || m.isBlank()) && t.getCause() != null) {
      t = t.getCause();
      m = t.getMessage();
    }
    if (m == null) {
      return t.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return (nl < 0 ? m : m.substring(0, nl)).trim();
  }
}
