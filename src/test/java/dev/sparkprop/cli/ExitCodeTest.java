package dev.sparkprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.io.InputException;
import dev.sparkprop.io.ModelFormatException;
import dev.sparkprop.io.OutputExistsException;
import dev.sparkprop.train.NonFiniteLossException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The exit codes are 0..N without gaps, and the README's table lists exactly them. */
class ExitCodeTest {
  @Test
  void exitCodes_consecutiveAndEachInTheReadmeTable() throws IOException {
    ExitCode[] codes = ExitCode.values();
    for (int i = 0; i < codes.length; i++) {
      assertEquals(i, codes[i].code, codes[i].name());
    }
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("\n## Exit codes");
    assertTrue(start >= 0, "README has an Exit codes section");
    Matcher row = Pattern.compile("(?m)^\\| (\\d+) \\|").matcher(readme.substring(start,
        readme.indexOf("\n#", start + 1)));
    List<Integer> documented = row.results().map(r -> Integer.parseInt(r.group(1))).toList();
    assertEquals(List.of(codes).stream().map(c -> c.code).toList(), documented);
  }

  @Test
  void classify_eachTypedException_itsCode() {
    assertEquals(ExitCode.USAGE, Main.classify(new ConfigException("epochs must be > 0")));
    assertEquals(ExitCode.OUTPUT_EXISTS, Main.classify(new OutputExistsException("/m")));
    assertEquals(ExitCode.MODEL, Main.classify(new ModelFormatException("m: truncated")));
    assertEquals(ExitCode.INPUT, Main.classify(new InputException("input 'x' has no rows")));
    assertEquals(ExitCode.DIVERGED, Main.classify(new NonFiniteLossException("epoch 3")));
    assertEquals(ExitCode.DRIVER_FAILED,
        Main.classify(new CliException(ExitCode.DRIVER_FAILED, "driver FAILED")));
    assertEquals(ExitCode.INTERNAL, Main.classify(new IllegalStateException("bug")));
  }

  @Test
  void classify_byTypeNotMessage() {
    // The words of another code's message do not change an exception's code.
    assertEquals(ExitCode.INPUT, Main.classify(
        new IllegalArgumentException("output '/m' already exists; pass --overwrite")));
    assertEquals(ExitCode.INPUT, Main.classify(
        new InputException("column 'already exists' has type string")));
    assertEquals(ExitCode.INTERNAL, Main.classify(new RuntimeException("model is corrupt")));
  }

  @Test
  void classify_wrappedBySpark_codeOfTheCause() {
    Exception wrapped = new org.apache.spark.SparkException("Job aborted",
        new RuntimeException("task failed", new OutputExistsException("/p")));
    assertEquals(ExitCode.OUTPUT_EXISTS, Main.classify(wrapped));
    assertEquals(ExitCode.MODEL, Main.classify(new java.io.UncheckedIOException(
        new java.io.IOException("read failed", new ModelFormatException("m: bad")))));
  }

  @Test
  void submit_driverFailedIsItsOwnCode() {
    assertEquals(ExitCode.DRIVER_FAILED.code, Submit.DRIVER_FAILED);
    assertTrue(Submit.DRIVER_FAILED != ExitCode.INTERNAL.code);
  }
}
