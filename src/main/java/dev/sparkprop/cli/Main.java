package dev.sparkprop.cli;

import dev.sparkprop.io.InputException;
import dev.sparkprop.io.InputReader;
import dev.sparkprop.io.ModelFormatException;
import dev.sparkprop.io.OutputExistsException;
import dev.sparkprop.train.NonFiniteLossException;
import java.io.PrintStream;
import java.util.Locale;
import org.apache.spark.SparkThrowable;

/**
 * {@code sparkprop COMMAND ...}: train, predict, evaluate, inspect, convert. Every failure
 * becomes one line on stderr and an {@link ExitCode}; {@code --verbose} adds the stack trace.
 * Also the class to hand to {@code spark-submit --class dev.sparkprop.cli.Main}.
 */
public final class Main {
  static final String USAGE_HINT = "run 'sparkprop --help' for usage";

  static final String USAGE = """
      usage: sparkprop COMMAND [options] [KEY=VALUE ...]

      commands:
        train     --conf FILE [KEY=VALUE ...] [--overwrite]
                  train a network; every KEY of the configuration can be set on the command line
        predict   --model DIR --input PATH --output PATH [--overwrite]
                  write the input's rows with their predictions as Parquet
        evaluate  --model DIR --input PATH
                  print metrics of a model on labelled data
        inspect   --model DIR
                  print a model's architecture, parameter count and metadata
        convert   --input CSV --output PARQUET [--overwrite]
                  convert a CSV file with a header row to Parquet

      options for every command:
        --master URL   Spark master (default: local[*], or what spark-submit set)
        --verbose      print stack traces and Spark's warnings
      """;

  private Main() {}

  public static void main(String[] argv) {
    int code = run(argv, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs a command and returns its exit code (tests call this directly). */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    NativeBlas.skipNativeIfAbsent();
    boolean verbose = false;
    for (String a : argv) {
      verbose |= a.equals("--verbose");
    }
    try {
      if (argv.length > 0 && (argv[0].equals("--help") || argv[0].equals("help")
          || argv[0].equals("-h"))) {
        out.print(USAGE);
        return 0;
      }
      Args args = Args.parse(argv);
      if (args.has("help")) {
        out.print(USAGE);
        return 0;
      }
      switch (args.command) {
        case "train" -> TrainCommand.run(args, out);
        case "predict" -> PredictCommand.run(args, out);
        case "evaluate" -> EvaluateCommand.run(args, out);
        case "inspect" -> InspectCommand.run(args, out);
        case "convert" -> ConvertCommand.run(args, out);
        default -> throw new CliException(ExitCode.USAGE, "unknown command '" + args.command
            + "'; commands are train, predict, evaluate, inspect, convert");
      }
      return 0;
    } catch (Throwable t) {
      ExitCode code = classify(t);
      String message = message(t, code);
      err.println("sparkprop: error: " + message);
      if (verbose) {
        t.printStackTrace(err);
      } else if (code == ExitCode.INTERNAL) {
        err.println("sparkprop: rerun with --verbose for the stack trace");
      }
      return code.code;
    }
  }

  /**
   * The exit code of a failure, by the type of its user-facing cause alone (never by its
   * message): sparkprop's typed exceptions each have their code, and any other
   * {@link IllegalArgumentException} is a caller's mistake the library did not type further
   * (a bad value found in a row, say), counted as unusable input.
   */
  static ExitCode classify(Throwable t) {
    Throwable root = userCause(t);
    if (root instanceof CliException c) {
      return c.exitCode;
    }
    if (root instanceof ConfigException) {
      return ExitCode.USAGE;
    }
    if (root instanceof OutputExistsException) {
      return ExitCode.OUTPUT_EXISTS;
    }
    if (root instanceof ModelFormatException) {
      return ExitCode.MODEL;
    }
    if (root instanceof NonFiniteLossException) {
      return ExitCode.DIVERGED;
    }
    if (root instanceof InputException || root instanceof IllegalArgumentException) {
      return ExitCode.INPUT;
    }
    return ExitCode.INTERNAL;
  }

  /**
   * The user-facing exception inside {@code t}: our own checks may run inside Spark tasks, where
   * Spark wraps them in its own exceptions (a SparkException holding the task's failure).
   */
  static Throwable userCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CliException || c instanceof IllegalArgumentException
          || c instanceof NonFiniteLossException) {
        return c;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    InputException unreadable = unreadableFile(t);
    return unreadable != null ? unreadable : t;
  }

  /**
   * A file that Spark failed to read in a task (error condition {@code FAILED_READ_FILE}: a
   * Parquet page that is corrupt although its footer was fine, say) as an input error naming
   * the file and what Spark found; null if {@code t} is not one.
   */
  static InputException unreadableFile(Throwable t) {
    for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
      if (c instanceof SparkThrowable st && st.getCondition() != null
          && st.getCondition().startsWith("FAILED_READ_FILE")) {
        String path = st.getMessageParameters().getOrDefault("path", "?");
        if (path.startsWith("file:")) {
          path = java.net.URI.create(path).getPath();
        }
        Throwable inner = c.getCause();
        String why = inner == null || inner == c ? "" : ": " + InputReader.firstLine(inner)
            .replaceAll("\\s*SQLSTATE: \\w+$", "");
        return new InputException("input file '" + path + "' cannot be read" + why, t);
      }
    }
    return null;
  }

  private static String message(Throwable t, ExitCode code) {
    Throwable root = userCause(t);
    String m = root.getMessage();
    if (code == ExitCode.INTERNAL) {
      m = root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
    if (m == null) {
      m = root.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return (nl < 0 ? m : m.substring(0, nl)).trim();
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
