package dev.sparkprop.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads training or prediction input: Parquet (a file or a directory of part files), CSV with a
 * header row, or JSON lines. Before Spark reads anything, the files themselves are checked on
 * the driver, so that a malformed file is one {@link InputException} naming the file, the line
 * where known, and what is wrong, instead of a failed Spark task: every CSV record has the
 * header's number of fields and closes its quotes, header names are distinct and not blank;
 * every Parquet file has a readable footer and the same columns as the others; there is at
 * least one data file and one row.
 */
public final class InputReader {
  private InputReader() {}

  /**
   * Reads {@code path}. {@code format} is {@code parquet}, {@code csv}, {@code json} or
   * {@code auto} (see {@link #resolveFormat}). CSV needs a header row; column types are
   * inferred.
   *
   * @throws InputException if the path does not exist, holds no data, or cannot be read as that
   *     format
   */
  public static Dataset<Row> read(SparkSession spark, String path, String format) {
    if (path == null || path.isBlank()) {
      throw new InputException("no input given; pass input=PATH");
    }
    checkExists(spark, path, "input");
    String fmt = resolveFormat(path, format);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<Path> files = dataFiles(conf, path);
    switch (fmt) {
      case "csv" -> checkCsv(conf, path, files);
      case "parquet" -> checkParquet(spark, path, files);
      default -> { }
    }
    Dataset<Row> df;
    try {
      df = switch (fmt) {
        case "csv" -> spark.read().option("header", "true").option("inferSchema", "true")
            .option("mode", "FAILFAST").csv(path);
        case "json" -> spark.read().option("mode", "FAILFAST").json(path);
        default -> spark.read().parquet(path);
      };
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) { // Spark throws SparkException, a checked exception, from Scala code
      throw new InputException("input '" + path + "' cannot be read as " + fmt + ": "
          + firstLine(e), e);
    }
    if (df.schema().fields().length == 0) {
      throw new InputException("input '" + path + "' has no columns");
    }
    checkColumnNames(path, df.schema());
    return df;
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

  // ---------------------------------------------------------------- files

  /**
   * The data files Spark would read at {@code path}: the file itself, or every file below the
   * directory whose name does not start with {@code _} or {@code .} (Spark's rule for
   * {@code _SUCCESS}, metadata and hidden files), in path order.
   */
  static List<Path> dataFiles(Configuration conf, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      FileStatus status = fs.getFileStatus(p);
      List<Path> out = new ArrayList<>();
      if (status.isFile()) {
        out.add(status.getPath());
      } else {
        collect(fs, status.getPath(), out);
        if (out.isEmpty()) {
          throw new InputException("input '" + path + "' is a directory without data files");
        }
      }
      out.sort(null);
      return out;
    } catch (IOException e) {
      throw new InputException("input '" + path + "' cannot be listed: " + firstLine(e), e);
    }
  }

  private static void collect(FileSystem fs, Path dir, List<Path> out) throws IOException {
    for (FileStatus s : fs.listStatus(dir)) {
      String name = s.getPath().getName();
      if (name.startsWith("_") || name.startsWith(".")) {
        continue;
      }
      if (s.isDirectory()) {
        collect(fs, s.getPath(), out);
      } else {
        out.add(s.getPath());
      }
    }
  }

  /** Column names must be distinct (as Spark compares them, ignoring case) and not blank. */
  static void checkColumnNames(String path, StructType schema) {
    Map<String, String> seen = new HashMap<>();
    for (StructField f : schema.fields()) {
      if (f.name().isBlank()) {
        throw new InputException("input '" + path + "' has a column without a name; name "
            + "every column");
      }
      String previous = seen.putIfAbsent(f.name().toLowerCase(Locale.ROOT), f.name());
      if (previous != null) {
        throw new InputException("input '" + path + "' has two columns named '" + previous
            + "'" + (previous.equals(f.name()) ? "" : " and '" + f.name() + "'")
            + "; column names must be distinct (ignoring case)");
      }
    }
  }

  // ---------------------------------------------------------------- CSV

  /**
   * Checks every CSV file line by line: a header of distinct, non-blank names, the same header
   * in every file, and in every record the header's number of fields and closed quotes; at
   * least one data row in all. The rules are those Spark's CSV reader applies with its default
   * options (separator {@code ,}, quote {@code "}, escape {@code \}, one record per line, blank
   * lines skipped).
   */
  static void checkCsv(Configuration conf, String path, List<Path> files) {
    List<String> firstHeader = null;
    Path firstFile = null;
    long rows = 0;
    for (Path file : files) {
      String shown = file.toUri().getPath();
      // Compressed files (.csv.gz, ...) are read through their codec, as Spark reads them.
      CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(file);
      try (FSDataInputStream raw = file.getFileSystem(conf).open(file);
           InputStream in = codec == null ? raw : codec.createInputStream(raw);
           BufferedReader reader = new BufferedReader(new InputStreamReader(in,
               StandardCharsets.UTF_8))) {
        List<String> header = null;
        String line;
        long number = 0;
        while ((line = reader.readLine()) != null) {
          number++;
          if (number == 1 && line.startsWith("\uFEFF")) {
            line = line.substring(1);
          }
          if (line.isEmpty()) {
            continue;
          }
          Fields fields = Fields.split(line);
          if (fields.unclosedQuote) {
            throw new InputException("input file '" + shown + "' line " + number + ": a quote "
                + "opened in field " + fields.names.size() + " is not closed on that line; "
                + "close it, or escape the quote as \\\"");
          }
          if (header == null) {
            header = checkHeader(shown, number, fields.names);
            if (firstHeader == null) {
              firstHeader = header;
              firstFile = file;
            } else if (!firstHeader.equals(header)) {
              throw new InputException("input file '" + shown + "' has the header "
                  + String.join(",", header) + ", but '" + firstFile.toUri().getPath()
                  + "' has " + String.join(",", firstHeader) + "; every file of a CSV "
                  + "input needs the same columns");
            }
            continue;
          }
          if (fields.names.size() != header.size()) {
            throw new InputException("input file '" + shown + "' line " + number + " has "
                + fields.names.size() + " field" + (fields.names.size() == 1 ? "" : "s")
                + ", but the header has " + header.size() + " (" + String.join(",", header)
                + "): " + abbreviate(line));
          }
          rows++;
        }
        if (header == null) {
          throw new InputException("input file '" + shown + "' is empty; a CSV input needs a "
              + "header row");
        }
      } catch (IOException e) {
        throw new InputException("input file '" + shown + "' cannot be read: " + firstLine(e),
            e);
      }
    }
    if (rows == 0) {
      throw new InputException("input '" + path + "' has a header but no data rows");
    }
  }

  private static List<String> checkHeader(String file, long line, List<String> names) {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i).trim();
      if (name.isEmpty()) {
        throw new InputException("input file '" + file + "' line " + line + ": header field "
            + (i + 1) + " of " + names.size() + " is blank; name every column");
      }
      Integer previous = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), i);
      if (previous != null) {
        throw new InputException("input file '" + file + "' line " + line + ": header fields "
            + (previous + 1) + " and " + (i + 1) + " are both named '" + name
            + "'; column names must be distinct (ignoring case)");
      }
    }
    return names.stream().map(String::trim).toList();
  }

  private static String abbreviate(String line) {
    return line.length() <= 80 ? line : line.substring(0, 77) + "...";
  }

  /** The fields of one CSV line, unquoted, and whether a quoted field was left open. */
  record Fields(List<String> names, boolean unclosedQuote) {
    static Fields split(String line) {
      List<String> out = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      boolean atStart = true;
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (quoted) {
          if (c == '\\' && i + 1 < line.length()) {
            field.append(line.charAt(++i));
          } else if (c == '"') {
            quoted = false;
          } else {
            field.append(c);
          }
        } else if (c == ',') {
          out.add(field.toString());
          field.setLength(0);
          atStart = true;
          continue;
        } else if (c == '"' && atStart) {
          quoted = true;
        } else {
          field.append(c);
        }
        atStart = false;
      }
      out.add(field.toString());
      return new Fields(out, quoted);
    }
  }

  // ---------------------------------------------------------------- Parquet

  /**
   * Reads every Parquet file's footer: it must be readable, and every file must have the first
   * file's columns and types (Spark reads a directory by one file's schema and would misread
   * the others); at least one row in all.
   */
  static void checkParquet(SparkSession spark, String path, List<Path> files) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    ParquetToSparkSchemaConverter converter =
        new ParquetToSparkSchemaConverter(spark.sessionState().conf());
    String firstColumns = null;
    Path firstFile = null;
    long rows = 0;
    for (Path file : files) {
      ParquetMetadata footer;
      try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file,
          conf))) {
        footer = reader.getFooter();
      } catch (IOException | RuntimeException e) {
        throw new InputException("input '" + path + "' cannot be read as parquet: file '"
            + file.toUri().getPath() + "' is not a readable Parquet file (" + firstLine(e)
            + ")", e);
      }
      String columns = columns(converter, footer);
      if (firstColumns == null) {
        firstColumns = columns;
        firstFile = file;
      } else if (!firstColumns.equals(columns)) {
        throw new InputException("input '" + path + "' mixes schemas: file '"
            + file.toUri().getPath() + "' has columns " + columns + ", but '"
            + firstFile.toUri().getPath() + "' has " + firstColumns + "; every file of a "
            + "Parquet input needs the same columns");
      }
      for (BlockMetaData block : footer.getBlocks()) {
        rows += block.getRowCount();
      }
    }
    if (rows == 0) {
      throw new InputException("input '" + path + "' has no rows");
    }
  }

  /** A file's columns as Spark sees them, names and types, ignoring nullability. */
  private static String columns(ParquetToSparkSchemaConverter converter,
      ParquetMetadata footer) {
    StructType schema = converter.convert(footer.getFileMetaData().getSchema());
    return java.util.Arrays.stream(schema.fields())
        .map(f -> f.name() + ": " + f.dataType().catalogString())
        .collect(Collectors.joining(", ", "(", ")"));
  }
}
