package dev.sparkprop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.testing.Cli;
import dev.sparkprop.testing.Cli.Run;
import dev.sparkprop.io.CheckpointStore;
import dev.sparkprop.io.ModelStore;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training control through the real command line on local[2]: a run killed (SIGKILL, in its
 * own JVM) after a checkpoint and resumed ends with the uninterrupted run's model; a diverging
 * run stops with exit code 6 keeping its last checkpoint; a separate validation input; the
 * training curves; and the mistakes around checkpoints.
 */
// Slow tier (a training JVM killed and resumed): `mvn test -Dgroups='!slow'` leaves it out.
@Tag("slow")
class TrainingControlTest {
  @TempDir
  static Path tmp;

  /** Digits, mini-batch Adam on a small network: several steps per epoch, a few seconds. */
  private static List<String> digits(String... more) {
    List<String> args = new ArrayList<>(List.of("train", "--conf", "conf/digits.conf",
        "network.hidden=[16]", "optimizer.learning-rate=0.01", "optimizer.batch-size=256",
        "epochs=8", "log-every=1", "checkpoint.every=2"));
    args.addAll(List.of(more));
    return args;
  }

  private static Run run(List<String> args) {
    return Cli.run(args.toArray(String[]::new));
  }

  static Path whole;
  static Path wholeCheckpoints;

  /** The uninterrupted run that the killed one is compared with. */
  @BeforeAll
  static void trainWhole() {
    whole = tmp.resolve("whole");
    wholeCheckpoints = tmp.resolve("whole-ckpt");
    Run r = run(digits("output=" + whole, "checkpoint.dir=" + wholeCheckpoints));
    assertEquals(0, r.code(), r.err());
  }

  @Test
  void train_killedAfterCheckpointAndResumed_sameModelAsUninterruptedRun() throws Exception {
    Path killedCheckpoints = tmp.resolve("killed-ckpt");
    Path killed = tmp.resolve("killed");
    int epoch = trainAndKillAfterFirstCheckpoint(digits("output=" + killed,
        "checkpoint.dir=" + killedCheckpoints, "--master", "local[2]"), killedCheckpoints);
    assertTrue(epoch < 8, "the run was killed before its end, after epoch " + epoch);
    assertFalse(Files.exists(killed), "a killed run writes no model");

    Run resumed = Cli.run("train", "--resume", killedCheckpoints.toString());
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("resuming from "), resumed.out());
    assertTrue(resumed.out().contains("epoch 8/8"), resumed.out());

    double[] expected = ModelStore.load(whole).params();
    double[] actual = ModelStore.load(killed).params();
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    System.out.printf("resume after kill at epoch %d: max |param diff| %.3e%n", epoch, worst);
    assertArrayEquals(expected, actual, 1e-12);
    assertEquals(9, Files.readAllLines(killed.resolve("history.csv")).size(),
        "the history holds the epochs before the kill too");
    assertEquals(Optional.of(8), CheckpointStore.latestEpoch(new Configuration(),
        killedCheckpoints.toString()));
  }

  @Test
  void train_writesTrainingCurvesBesideTheModel() throws IOException {
    BufferedImage png = ImageIO.read(whole.resolve(TrainingPlot.FILE).toFile());
    assertEquals(900, png.getWidth());
    assertEquals(540, png.getHeight());
  }

  /**
   * Runs the command in a new JVM and kills it (SIGKILL) as soon as a checkpoint appears;
   * returns the epoch of the checkpoint left.
   */
  private static int trainAndKillAfterFirstCheckpoint(List<String> args, Path checkpoints)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(args);
    File log = tmp.resolve("killed.log").toFile();
    Process child = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (CheckpointStore.latestEpoch(new Configuration(), checkpoints.toString()).isEmpty()) {
        assertTrue(child.isAlive(), "the child ended before a checkpoint:\n"
            + Files.readString(log.toPath()));
        assertTrue(System.nanoTime() < deadline, "no checkpoint within 5 minutes");
        Thread.sleep(10);
      }
    } finally {
      child.destroyForcibly();
      child.waitFor();
    }
    assertNotEquals(0, child.exitValue());
    return CheckpointStore.latestEpoch(new Configuration(), checkpoints.toString()).orElseThrow();
  }

  @Test
  void train_divergingLearningRate_exitsDivergedKeepingLastCheckpoint() throws IOException {
    Path checkpoints = tmp.resolve("diverge-ckpt");
    Path out = tmp.resolve("diverged");
    Run r = Cli.run("train", "input=src/data/concrete.csv",
        "label=compressive_strength", "task=regression", "network.hidden=[8]",
        "optimizer.learning-rate=1000", "epochs=200", "checkpoint.every=1",
        "checkpoint.dir=" + checkpoints, "output=" + out);
    assertEquals(ExitCode.DIVERGED.code, r.code(), r.out() + r.err());
    String line = r.errLine();
    assertTrue(line.matches("sparkprop: error: training loss became (Infinity|NaN) at epoch (\\d+);"
        + " lower the learning rate.*the last checkpoint, of epoch \\d+, is kept: 'train "
        + "--resume .*"), line);
    int failed = Integer.parseInt(line.replaceAll(".* at epoch (\\d+);.*", "$1"));
    assertEquals(Optional.of(failed - 1), CheckpointStore.latestEpoch(new Configuration(),
        checkpoints.toString()));
    assertFalse(Files.exists(out));
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  void train_validationInput_evaluatedEveryEpoch() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("src/data/concrete.csv"));
    Path train = tmp.resolve("concrete-train.csv");
    Path validation = tmp.resolve("concrete-validation.csv");
    Files.write(train, lines.subList(0, 801));
    List<String> held = new ArrayList<>(List.of(lines.get(0)));
    held.addAll(lines.subList(801, lines.size()));
    Files.write(validation, held);
    Path out = tmp.resolve("concrete-vi");
    Run r = Cli.run("train", "input=" + train, "validation-input=" + validation,
        "label=compressive_strength", "network.hidden=[16]", "optimizer.name=lbfgs",
        "epochs=30", "early-stopping.patience=5", "output=" + out);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("800 training rows, 230 validation rows"), r.out());
    assertTrue(r.out().contains("val_rmse"), r.out());
    @SuppressWarnings("unchecked")
    Map<String, Object> training = (Map<String, Object>) ModelStore.load(out).metadata()
        .get("training");
    @SuppressWarnings("unchecked")
    Map<String, Object> kept = (Map<String, Object>) training.get("kept_validation");
    assertEquals(230.0, ((Number) kept.get("rows")).doubleValue());
    assertTrue(Files.readAllLines(out.resolve("history.csv")).get(1).contains(",rmse,"));
  }

  @Test
  void train_validationInputWithOtherColumns_exitsInputNamingIt() throws IOException {
    Path validation = tmp.resolve("bad-validation.csv");
    Files.writeString(validation, "a,b\n1,2\n");
    Run r = Cli.run("train", "input=src/data/concrete.csv",
        "validation-input=" + validation, "label=compressive_strength",
        "output=" + tmp.resolve("m-bad-validation"));
    assertEquals(ExitCode.INPUT.code, r.code(), r.err());
    assertTrue(r.errLine().contains("validation-input '" + validation + "': "), r.errLine());
  }

  @Test
  void train_checkpointDirHoldingACheckpoint_exitsOutputExists() {
    Run again = run(digits("checkpoint.dir=" + wholeCheckpoints,
        "output=" + tmp.resolve("used"), "overwrite=false"));
    assertEquals(ExitCode.OUTPUT_EXISTS.code, again.code(), again.err());
    assertTrue(again.errLine().contains("checkpoint.dir '" + wholeCheckpoints + "' already "
        + "holds a checkpoint (epoch 8); continue that run with 'train --resume "
        + wholeCheckpoints + "'"), again.errLine());
    assertFalse(Files.exists(tmp.resolve("used")));
  }

  @Test
  void train_resumeWithConf_exitsUsage() {
    Run r = Cli.run("train", "--resume", tmp.toString(), "--conf",
        "conf/digits.conf");
    assertEquals(ExitCode.USAGE.code, r.code(), r.err());
    assertTrue(r.errLine().contains("--resume continues with the configuration saved in the "
        + "checkpoint"), r.errLine());
  }

  @Test
  void train_resumeFromDirectoryWithoutCheckpoint_exitsInput() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("no-ckpt"));
    Run r = Cli.run("train", "--resume", empty.toString());
    assertEquals(ExitCode.INPUT.code, r.code(), r.err());
    assertTrue(r.errLine().contains("holds no checkpoint"), r.errLine());
    try (Stream<Path> files = Files.list(empty)) {
      assertEquals(0, files.count());
    }
  }
}
