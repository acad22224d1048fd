package dev.sparkprop.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.cli.Main;
import dev.sparkprop.cluster.LocalCluster.Background;
import dev.sparkprop.io.AtomicOutput;
import dev.sparkprop.io.Model;
import dev.sparkprop.io.ModelFormatException;
import dev.sparkprop.io.ModelStore;
import dev.sparkprop.io.Scaling;
import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.spark.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost, nothing half-written: a write that fails or is killed (SIGKILL, so no clean-up
 * code runs) leaves the previous output as it was and nothing that looks like a complete output;
 * only hidden temporary siblings (".NAME.tmp-PID@HOST-...") may stay, which neither Spark nor
 * ModelStore.load take for an output, and which the next successful write of the same output
 * deletes once their writer is dead.
 */
// Slow tier (JVMs killed mid-write): `mvn test -Dgroups='!slow'` leaves it out.
@Tag("slow")
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class NoPartialOutputTest {
  @TempDir
  Path tmp;

  // ---------------------------------------------------------------- AtomicOutput, in process

  @Test
  void atomicOutput_writerThrowsMidway_previousOutputIntactAndNothingLeft() throws IOException {
    Path out = previousOutput(tmp.resolve("out"));
    Map<String, String> before = snapshot(out);
    RuntimeException e = assertThrows(RuntimeException.class, () ->
        AtomicOutput.write(new Configuration(), out.toString(), true, dir -> {
          write(Path.of(dir).resolve("part-00000"), "new rows");
          throw new IllegalStateException("disk full");
        }));
    assertEquals("disk full", e.getMessage());
    assertEquals(before, snapshot(out));
    assertEquals(List.of("out"), entries(tmp), "no temporary directory left");
  }

  @Test
  void atomicOutput_writerThrowsWithoutPreviousOutput_noOutput() throws IOException {
    Path out = tmp.resolve("fresh");
    assertThrows(IllegalStateException.class, () ->
        AtomicOutput.write(new Configuration(), out.toString(), false, dir -> {
          write(Path.of(dir).resolve("part-00000"), "rows");
          throw new IllegalStateException("executor lost");
        }));
    assertEquals(List.of(), entries(tmp));
  }

  @Test
  void atomicOutput_existingWithoutOverwrite_refusedBeforeWriting() throws IOException {
    Path out = previousOutput(tmp.resolve("out"));
    Map<String, String> before = snapshot(out);
    boolean[] called = {false};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
        AtomicOutput.write(new Configuration(), out.toString(), false, dir -> called[0] = true));
    assertTrue(e.getMessage().contains("already exists; pass --overwrite"), e.getMessage());
    assertFalse(called[0], "nothing written");
    assertEquals(before, snapshot(out));
  }

  @Test
  void atomicOutput_success_replacesWholeOutputAndLeavesNothingElse() throws IOException {
    Path out = previousOutput(tmp.resolve("out"));
    AtomicOutput.write(new Configuration(), out.toString(), true,
        dir -> write(Path.of(dir).resolve("part-new"), "new rows"));
    assertEquals(Map.of("part-new", "new rows"), snapshot(out));
    assertEquals(List.of("out"), entries(tmp));
  }

  // ---------------------------------------------------------------- killed processes

  @Test
  void atomicOutput_processKilledMidWrite_previousOutputIntact() throws Exception {
    Path out = previousOutput(tmp.resolve("out"));
    Map<String, String> before = snapshot(out);
    Path ready = tmp.resolve("ready");
    try (Background writer = java(SlowWriter.class, out.toString(), ready.toString())) {
      awaitFile(ready, writer);
      writer.process.destroyForcibly().waitFor(); // SIGKILL halfway through the write
    }
    assertEquals(before, snapshot(out), "previous output intact");
    assertOnlyHiddenLeftovers(tmp, "out", "ready");
    assertFalse(hiddenEntries(tmp).isEmpty(), "the killed writer left its temporary directory");

    // The next successful write of the same output deletes what the dead writer left.
    AtomicOutput.write(new Configuration(), out.toString(), true,
        dir -> write(Path.of(dir).resolve("part-new"), "new rows"));
    assertEquals(List.of(), hiddenEntries(tmp), "the dead writer's temporary directory is gone");
  }

  @Test
  void modelSave_processKilledMidWrite_previousModelIntactAndLeftoverNotLoadable()
      throws Exception {
    Path dir = tmp.resolve("model");
    Model small = new Model(NetworkSpec.of(new int[] {3, 2}, Activation.IDENTITY,
        Activation.IDENTITY, Loss.MSE), new double[] {1, 2, 3, 4, 5, 6, 7, 8}, Scaling.NONE,
        Map.of("task", "regression"));
    ModelStore.save(dir, small, false);
    Map<String, String> before = snapshot(dir);
    // A 128 MB model: its temporary directory appears long before the write is done.
    try (Background saver = java(BigModelSaver.class, dir.toString())) {
      Path tmpDir = awaitHiddenSibling(tmp, ".model.tmp-", saver);
      saver.process.destroyForcibly().waitFor();
      assertTrue(Files.exists(tmpDir), "killed before the temporary directory was moved");
    }
    assertEquals(before, snapshot(dir), "previous model intact");
    assertArrayEquals(small.params(), ModelStore.load(dir).params());
    for (Path leftover : hiddenEntries(tmp)) {
      assertThrows(ModelFormatException.class, () -> ModelStore.load(leftover),
          "a half-written model does not load: " + leftover);
    }
    assertOnlyHiddenLeftovers(tmp, "model");

    // The next successful save of the same model deletes what the dead saver left.
    assertFalse(hiddenEntries(tmp).isEmpty());
    ModelStore.save(dir, small, true);
    assertEquals(List.of(), hiddenEntries(tmp), "the dead saver's temporary directory is gone");
  }

  @Test
  void predict_processKilledWhileWriting_previousPredictionsIntact() throws Exception {
    Path data = tmp.resolve("rows.parquet");
    Path model = tmp.resolve("m");
    Path out = tmp.resolve("predictions");
    SparkSession spark = SparkTestSession.start("NoPartialOutputTest");
    try {
      spark.sql("SELECT CAST(id AS DOUBLE) / 1e6 AS a, randn(1) AS b, randn(2) AS y "
          + "FROM range(0, 600000, 1, 4)").write().parquet(data.toString());
      spark.sql("SELECT CAST(id AS DOUBLE) AS a, 1.0D AS b, 2.0D AS y FROM range(50)")
          .coalesce(1).write().parquet(tmp.resolve("small.parquet").toString());
    } finally {
      spark.stop();
    }
    inProcess("train", "input=" + tmp.resolve("small.parquet"), "label=y",
        "task=regression", "epochs=2", "output=" + model);
    inProcess("predict", "--model", model.toString(), "--input",
        tmp.resolve("small.parquet").toString(), "--output", out.toString());
    Map<String, String> before = snapshot(out);

    try (Background predict = java(Main.class, "predict", "--master", "local[2]", "--model",
        model.toString(), "--input", data.toString(), "--output", out.toString(),
        "--overwrite")) {
      Path tmpDir = awaitHiddenSibling(tmp, ".predictions.tmp-", predict);
      // Wait until Spark has begun writing part files inside it, then kill.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (!containsFile(tmpDir)) {
        assertTrue(predict.process.isAlive(), "predict ended early:\n" + predict.output());
        assertTrue(System.nanoTime() < deadline, "no part files:\n" + predict.output());
        Thread.sleep(20);
      }
      predict.process.destroyForcibly().waitFor();
      assertFalse(predict.output().contains("wrote "), "killed before the end");
    }
    assertEquals(before, snapshot(out), "previous predictions intact");
    assertOnlyHiddenLeftovers(tmp, "m", "predictions", "rows.parquet", "small.parquet");
  }

  @Test
  void train_processKilledWhileTraining_noModelDirectory() throws Exception {
    Path out = tmp.resolve("model");
    try (Background train = java(Main.class, "train", "--master", "local[2]", "--conf",
        LocalCluster.ROOT.resolve("conf/digits.conf").toString(), "input="
            + LocalCluster.ROOT.resolve("src/data/digits.parquet"), "epochs=100000",
        "log-every=1", "output=" + out)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (!train.output().contains("epoch ")) {
        assertTrue(train.process.isAlive(), "train ended early:\n" + train.output());
        assertTrue(System.nanoTime() < deadline, "no epoch:\n" + train.output());
        Thread.sleep(50);
      }
      train.process.destroyForcibly().waitFor();
    }
    assertEquals(List.of(), entries(tmp).stream().filter(n -> !n.endsWith(".log")).toList(),
        "no model directory, no temporary one");
  }

  // ---------------------------------------------------------------- child processes

  /** Writes part of an output through AtomicOutput, says so, then hangs until killed. */
  static final class SlowWriter {
    public static void main(String[] args) {
      AtomicOutput.write(new Configuration(), args[0], true, dir -> {
        write(Path.of(dir).resolve("part-00000"), "first half");
        write(Path.of(args[1]), "writing");
        try {
          Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        write(Path.of(dir).resolve("part-00001"), "second half");
      });
    }
  }

  /** Saves a 16-million-parameter model over the one at args[0]. */
  static final class BigModelSaver {
    public static void main(String[] args) throws IOException {
      int n = 4000;
      double[] params = new double[n * n + n + n + 1];
      Arrays.fill(params, 0.5);
      ModelStore.save(Path.of(args[0]), new Model(NetworkSpec.of(new int[] {n, n, 1},
          Activation.TANH, Activation.IDENTITY, Loss.MSE), params, Scaling.NONE,
          Map.of("task", "regression")), true);
    }
  }

  private Background java(Class<?> main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(LocalCluster.javaBinary());
    cmd.addAll(LocalCluster.jvmFlags());
    cmd.add("-Xmx2g");
    cmd.add("-Dlog4j.configurationFile=" + LocalCluster.ROOT.resolve("conf/log4j2.properties"));
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path")));
    cmd.add(main.getName());
    cmd.addAll(Arrays.asList(args));
    return new Background(cmd, Files.createTempFile(tmp, "child", ".log"));
  }

  private static void inProcess(String... argv) {
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    args.addAll(List.of("--master", "local[2]"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- files

  private static Path previousOutput(Path dir) throws IOException {
    Files.createDirectories(dir);
    write(dir.resolve("part-00000"), "old rows 1");
    write(dir.resolve("part-00001"), "old rows 2");
    write(dir.resolve("_SUCCESS"), "");
    return dir;
  }

  /** Writes {@code file}, creating its directory (AtomicOutput's writer creates the output). */
  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every file under {@code dir} (relative name) with a digest of its bytes. */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        byte[] bytes = Files.readAllBytes(f);
        files.put(dir.relativize(f).toString(), bytes.length < 100
            ? new String(bytes, StandardCharsets.UTF_8)
            : bytes.length + ":" + Arrays.hashCode(bytes));
      }
    }
    return files;
  }

  private static List<String> entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static List<Path> hiddenEntries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
    }
  }

  /** Besides {@code expected} (and child logs), only hidden entries are in {@code dir}. */
  private static void assertOnlyHiddenLeftovers(Path dir, String... expected) throws IOException {
    List<String> visible = entries(dir).stream()
        .filter(n -> !n.startsWith(".") && !n.endsWith(".log")).toList();
    assertEquals(Arrays.stream(expected).sorted().toList(), visible,
        "no other directory that could pass for an output");
  }

  private static boolean containsFile(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.anyMatch(p -> Files.isRegularFile(p)
          && p.getFileName().toString().startsWith("part-"));
    } catch (UncheckedIOException | java.nio.file.NoSuchFileException e) {
      return false; // Spark moves files around while we look
    }
  }

  private static void awaitFile(Path file, Background child) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (!Files.exists(file)) {
      assertTrue(child.process.isAlive(), "child ended early:\n" + child.output());
      assertTrue(System.nanoTime() < deadline, "timed out:\n" + child.output());
      Thread.sleep(10);
    }
  }

  private static Path awaitHiddenSibling(Path dir, String prefix, Background child)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (true) {
      try (Stream<Path> s = Files.list(dir)) {
        var found = s.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst();
        if (found.isPresent()) {
          return found.get();
        }
      }
      assertTrue(child.process.isAlive(), "child ended early:\n" + child.output());
      assertTrue(System.nanoTime() < deadline, "timed out:\n" + child.output());
      Thread.sleep(2);
    }
  }
}
