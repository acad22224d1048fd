package dev.sparkprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void submit_driverFailedIsItsOwnCode() {
    assertEquals(ExitCode.DRIVER_FAILED.code, Submit.DRIVER_FAILED);
    assertTrue(Submit.DRIVER_FAILED != ExitCode.INTERNAL.code);
  }
}
