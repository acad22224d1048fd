package dev.sparkprop.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.cli.Main;
import dev.sparkprop.cluster.LocalCluster.Background;
import dev.sparkprop.cluster.LocalCluster.Result;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees on the console (stdout and stderr together) when the command line fails on
 * bad input, in a JVM of its own started as {@code scripts/sparkprop} starts it (same flags, the
 * shipped conf/log4j2.properties): the one error line and nothing of Spark's task-failure
 * logging, unless {@code --verbose}.
 */
// Slow tier (a JVM per case): `mvn test -Dgroups='!slow'` leaves it out.
@Tag("slow")
class ConsoleTest {
  @TempDir
  Path tmp;

  /** The shipped digits with every data page overwritten: the footer reads, a task fails. */
  private Path corruptDigits() throws IOException {
    Path part;
    try (Stream<Path> parts = Files.list(LocalCluster.ROOT.resolve("src/data/digits.parquet"))) {
      part = parts.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(part);
    int footer = ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN)
        .getInt();
    Arrays.fill(bytes, 4, bytes.length - 8 - footer, (byte) 0xAB);
    Path dir = Files.createDirectories(tmp.resolve("corrupt.parquet"));
    Files.write(dir.resolve("part-00000.parquet"), bytes);
    return dir;
  }

  private Result sparkprop(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(LocalCluster.javaBinary());
    cmd.addAll(LocalCluster.jvmFlags());
    cmd.add("-Xmx1g");
    cmd.add("-Dlog4j.configurationFile=" + LocalCluster.ROOT.resolve("conf/log4j2.properties"));
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path")));
    cmd.add(Main.class.getName());
    cmd.addAll(Arrays.asList(args));
    cmd.addAll(List.of("--master", "local[2]"));
    try (Background b = new Background(cmd, Files.createTempFile(tmp, "console", ".log"))) {
      return b.await(300);
    }
  }

  private static void assertOneLineOnly(Result r, String message) {
    assertEquals(3, r.code(), r.output());
    List<String> errors = r.output().lines().filter(l -> l.startsWith("sparkprop: error:"))
        .toList();
    assertEquals(1, errors.size(), r.output());
    assertTrue(errors.get(0).contains(message), errors.get(0));
    assertFalse(r.output().contains("\tat "), "no stack trace:\n" + r.output());
    assertFalse(r.output().lines().anyMatch(l -> l.matches(".* (ERROR|WARN) .*")),
        "no Spark ERROR or WARN block:\n" + r.output());
    // Without native BLAS netlib's loader would print its dlopen failure; see NativeBlas.
    assertFalse(r.output().contains("netlib-blas"), r.output());
  }

  @Test
  void train_corruptParquetPage_oneLineNoSparkLogging() throws Exception {
    Path in = corruptDigits();
    Path out = tmp.resolve("model");
    Result r = sparkprop("train", "input=" + in, "epochs=1", "output=" + out);
    assertOneLineOnly(r, "input file '" + in.resolve("part-00000.parquet") + "' cannot be read");
    assertFalse(Files.exists(out));
  }

  @Test
  void train_malformedCsv_oneLineNoSparkLogging() throws Exception {
    Path in = Files.writeString(tmp.resolve("bad.csv"), "a,a,y\n1,2,3\n");
    Path out = tmp.resolve("model");
    Result r = sparkprop("train", "input=" + in, "label=y", "output=" + out);
    assertOneLineOnly(r, "header fields 1 and 2 are both named 'a'");
    assertFalse(Files.exists(out));
  }

  @Test
  void train_corruptParquetPageVerbose_showsSparkTaskFailure() throws Exception {
    // The check above can fail: with --verbose the same run shows Spark's task failure.
    Result r = sparkprop("train", "input=" + corruptDigits(), "epochs=1",
        "output=" + tmp.resolve("model"), "--verbose");
    assertEquals(3, r.code(), r.output());
    assertTrue(r.output().lines().anyMatch(l -> l.matches(".* ERROR Executor: .*")), r.output());
    assertTrue(r.output().contains("\tat "), r.output());
  }
}
