package dev.sparkprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages' dependency order, as the README's Architecture section draws it: each package
 * uses only those before it. The math first, then optimizers, the engine-agnostic loop, files
 * and input mapping, the Spark engine and the library's fit path, and its two clients, the
 * Spark ML API and the command line, which never use each other.
 */
class LayeringTest {
  static final List<String> ORDER = List.of("nn", "optim", "train", "io", "spark", "ml", "cli");
  /** Pairs that are siblings though one comes later in {@link #ORDER}. */
  static final Map<String, Set<String>> SIBLINGS = Map.of("cli", Set.of("ml"));
  static final Pattern REFERENCE = Pattern.compile("\\bdev\\.sparkprop\\.([a-z]+)\\.");
  /** A string literal: a message may name any class. */
  static final Pattern STRING = Pattern.compile("\"([^\"\\\\]|\\\\.)*\"");

  @Test
  void sources_everyPackage_usesOnlyThePackagesBeforeIt() throws IOException {
    Path root = Path.of("src/main/java/dev/sparkprop");
    List<String> offenders = new ArrayList<>();
    int files = 0;
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        String pkg = dir.getFileName().toString();
        assertTrue(ORDER.contains(pkg), "package " + pkg + " has no place in the order");
        int rank = ORDER.indexOf(pkg);
        try (Stream<Path> paths = Files.walk(dir)) {
          for (Path p : paths.filter(f -> f.toString().endsWith(".java")).toList()) {
            files++;
            List<String> lines = Files.readAllLines(p);
            for (int i = 0; i < lines.size(); i++) {
              String code = lines.get(i).trim();
              if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
                continue; // documentation may name any class
              }
              Matcher m = REFERENCE.matcher(STRING.matcher(code).replaceAll("\"\""));
              while (m.find()) {
                String used = m.group(1);
                if (!ORDER.contains(used) || used.equals(pkg)) {
                  continue;
                }
                boolean sibling = SIBLINGS.getOrDefault(pkg, Set.of()).contains(used);
                if (ORDER.indexOf(used) > rank || sibling) {
                  offenders.add(p + ":" + (i + 1) + ": " + pkg + " uses " + used);
                }
              }
            }
          }
        }
      }
    }
    assertTrue(files >= 60, "expected to scan the sources, found only " + files);
    assertTrue(offenders.isEmpty(), "against the dependency order " + ORDER + ":\n"
        + String.join("\n", offenders));
  }

  @Test
  void order_isTheReadmes() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    String arch = readme.substring(readme.indexOf("## Architecture"));
    List<String> drawn = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^  ([a-z]+)/").matcher(arch.substring(0,
        arch.indexOf("```", arch.indexOf("```") + 3)));
    while (m.find()) {
      drawn.add(m.group(1));
    }
    assertEquals(ORDER, drawn, "the README's Architecture lists the packages in their order");
  }
}
