package dev.sparkprop.testing;

import dev.sparkprop.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs the real command line in-process on local[2] and captures what it printed. */
public final class Cli {
  private Cli() {}

  /** What one run printed and returned. */
  public record Run(int code, String out, String err) {
    /** The one-line error message, or "" if there is none. */
    public String errLine() {
      return err.lines().filter(l -> l.startsWith("sparkprop: error:")).findFirst().orElse("");
    }
  }

  /** {@code sparkprop ARGS --master local[2]}. */
  public static Run run(String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    args.add("--master");
    args.add("local[2]");
    int code = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
