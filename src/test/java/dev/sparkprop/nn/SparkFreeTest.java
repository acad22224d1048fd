package dev.sparkprop.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Keeps the math and the training loop free of Spark and Scala (STYLE.md section 1). */
class SparkFreeTest {
  private static final List<String> SPARK_FREE = List.of("nn", "optim", "train");
  private static final Pattern FORBIDDEN =
      Pattern.compile("\\b(org\\.apache\\.spark|scala\\.|org\\.apache\\.hadoop)");

  @Test
  void sources_sparkFreePackages_importNoSparkScalaOrHadoop() throws IOException {
    Path root = Path.of("src/main/java/dev/sparkprop");
    List<String> offenders = new ArrayList<>();
    int files = 0;
    for (String pkg : SPARK_FREE) {
      try (Stream<Path> paths = Files.walk(root.resolve(pkg))) {
        for (Path p : paths.filter(f -> f.toString().endsWith(".java")).toList()) {
          files++;
          List<String> lines = Files.readAllLines(p);
          for (int i = 0; i < lines.size(); i++) {
            if (FORBIDDEN.matcher(lines.get(i)).find()) {
              offenders.add(p + ":" + (i + 1) + ": " + lines.get(i).trim());
            }
          }
        }
      }
    }
    assertTrue(files >= 10, "expected to scan the core sources, found only " + files);
    assertTrue(offenders.isEmpty(), "Spark-free packages reference Spark:\n"
        + String.join("\n", offenders));
  }
}
