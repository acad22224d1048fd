package dev.sparkprop.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ludovic.netlib.blas.BLAS;
import dev.sparkprop.cli.Main;
import dev.sparkprop.cli.Submit;
import dev.sparkprop.cluster.EventLog.BlockUpdate;
import dev.sparkprop.cluster.LocalCluster.Background;
import dev.sparkprop.cluster.LocalCluster.Executor;
import dev.sparkprop.cluster.LocalCluster.Result;
import dev.sparkprop.io.CheckpointStore;
import dev.sparkprop.io.ModelStore;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * sparkprop on a real Spark standalone cluster (scripts/cluster: a Master and two Workers of one
 * core each, every one its own JVM, executors in JVMs of their own), submitted the way
 * scripts/sparkprop submits: distributed training equals local training, and survives a killed
 * executor, a killed driver (resumed from its checkpoint) and executors too small to cache the
 * data; the exit code is the job's outcome in client and in cluster deploy mode.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
// Each test is one or two Spark applications of 20-30 s on an idle 2-core machine; under a load
// average of 12 (other builds running) they took up to 220 s: the bounds leave room for that.
// Slow tier (a real standalone cluster, minutes): `mvn test -Dgroups='!slow'` leaves it out.
@Tag("slow")
@Timeout(value = 480, unit = TimeUnit.SECONDS)
class StandaloneClusterTest {
  /** Distributed sums are added in another order than local ones; the models agree to this. */
  private static final double MODEL_TOLERANCE = 1e-9;
  /**
   * The cluster's executors and the local run may use different BLAS implementations (native
   * OpenBLAS on some nodes, netlib's Java BLAS on others; real clusters mix them), which sum a
   * dot product in different orders: each probability then differs by rounding (measured: 1706
   * of 1797 digits rows differ, by at most 8.9e-16, with Java BLAS in this JVM and OpenBLAS on
   * the executors), far below this bound; a wrong weight, row or scaling moves them by orders of
   * magnitude more.
   */
  private static final double PREDICTION_TOLERANCE = 1e-9;
  private static final long DRIVER_TIMEOUT_SECONDS = 360;

  @TempDir
  static Path tmp;
  static LocalCluster cluster;
  static final List<Background> launched = new CopyOnWriteArrayList<>();
  /** The digits model trained on local[2] with the arguments of {@link #digitsTraining}. */
  static Path localDigitsModel;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = LocalCluster.start(tmp, 2, "1536m");
    System.out.printf("StandaloneClusterTest: cluster %s up in %.1f s%n", cluster.masterUrl,
        cluster.startSeconds);
    localDigitsModel = tmp.resolve("digits-local");
    long t0 = System.nanoTime();
    runLocal(digitsTraining(localDigitsModel));
    System.out.printf("StandaloneClusterTest: local[2] reference in %.1f s%n",
        (System.nanoTime() - t0) / 1e9);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (Background b : launched) {
      b.close();
    }
    if (cluster != null) {
      cluster.close();
      assertTrue(cluster.executors().isEmpty(), "no executor JVM outlives the cluster");
    }
  }

  // ---------------------------------------------------------------- tests

  @Test
  @Order(1)
  void train_twoExecutors_tasksOutsideDriverAndModelEqualsLocal() throws Exception {
    Path events = Files.createDirectories(tmp.resolve("events-train"));
    Path model = tmp.resolve("digits-cluster");
    Background driver = launch("train", clientMode(EventLog.settings(events)),
        digitsTraining(model));
    Map<String, Executor> seen = new LinkedHashMap<>();
    while (driver.process.isAlive()) {
      cluster.executors().forEach(e -> seen.putIfAbsent(e.appId() + "/" + e.id(), e));
      Thread.sleep(100);
    }
    Result r = driver.await(1);
    report("train", r);
    assertEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("master " + cluster.masterUrl), r.output());

    EventLog log = EventLog.read(events);
    List<Executor> executors = seen.values().stream()
        .filter(e -> e.appId().equals(log.appId())).toList();
    assertEquals(2, executors.size(), "executor JVMs of " + log.appId() + ": " + seen);
    Set<Long> pids = executors.stream().map(Executor::pid).collect(Collectors.toSet());
    assertEquals(2, pids.size(), "two distinct executor JVMs");
    assertFalse(pids.contains(driver.process.pid()), "executors are not the driver");
    assertFalse(pids.contains(ProcessHandle.current().pid()), "executors are not this JVM");
    assertEquals(List.of("0", "1"), log.executorsWithSuccessfulTasks(),
        "both executors, and only they, ran tasks");
    assertTrue(log.rddBlockUpdates().stream().anyMatch(b -> b.memory() > 0),
        "training blocks cached in executor memory");
    assertModelsEqual(localDigitsModel, model);
  }

  @Test
  @Order(2)
  void train_miniBatchAdam_epochsRunAsOneJobAcrossExecutorsAndModelEqualsLocal()
      throws Exception {
    // Two partitions, one per executor's slot: each epoch's 11 steps go through the step
    // exchange, whose tasks in the executor JVMs connect back to this driver.
    String[] miniBatches = {"partitions=2", "epochs=6", "optimizer.batch-size=128"};
    Path local = tmp.resolve("digits-minibatch-local");
    runLocal(with(digitsTraining(local), miniBatches));
    Path events = Files.createDirectories(tmp.resolve("events-minibatch"));
    Path model = tmp.resolve("digits-minibatch-cluster");
    Background driver = launch("train-minibatch", clientMode(EventLog.settings(events)),
        with(digitsTraining(model), miniBatches));
    Result r = driver.await(DRIVER_TIMEOUT_SECONDS);
    report("train, mini-batch", r);
    assertEquals(0, r.code(), r.output());
    EventLog log = EventLog.read(events);
    long exchanged = log.jobDescriptions().stream()
        .filter(d -> d.startsWith("sparkprop: an epoch's 11 steps over 2 tasks")).count();
    assertEquals(6, exchanged, "one exchange job per epoch: " + log.jobDescriptions());
    assertEquals(List.of(), log.failedTaskReasons());
    assertEquals(List.of("0", "1"), log.executorsWithSuccessfulTasks());
    assertModelsEqual(local, model);
  }

  @Test
  @Order(3)
  void predict_onCluster_equalsLocalPredictions() throws Exception {
    Path model = tmp.resolve("digits-cluster");
    Path events = Files.createDirectories(tmp.resolve("events-predict"));
    Path clusterOut = tmp.resolve("predictions-cluster");
    // file:// URIs: model and predictions go through Hadoop's file system API, as hdfs:// would.
    Background driver = launch("predict", clientMode(EventLog.settings(events)), "predict",
        "--model", model.toUri().toString(), "--input", digits(), "--output",
        clusterOut.toUri().toString());
    // Which BLAS each executor loaded (a native one shows in its memory map): the comparison
    // below must hold whether or not the executors' BLAS is the one of this JVM.
    Map<Long, Boolean> executorNative = new LinkedHashMap<>();
    while (driver.process.isAlive()) {
      for (Executor e : cluster.executors()) {
        if (nativeBlasLoaded(e.pid())) {
          executorNative.put(e.pid(), true);
        } else {
          executorNative.putIfAbsent(e.pid(), false);
        }
      }
      Thread.sleep(100);
    }
    Result r = driver.await(DRIVER_TIMEOUT_SECONDS);
    System.out.printf("StandaloneClusterTest: predict: BLAS here %s; executors with native "
        + "BLAS loaded: %d of %d%n", BLAS.getInstance().getClass().getSimpleName(),
        executorNative.values().stream().filter(b -> b).count(), executorNative.size());
    assertEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("wrote 1797 predictions"), r.output());
    List<String> ranTasks = EventLog.read(events).executorsWithSuccessfulTasks();
    assertFalse(ranTasks.isEmpty(), "prediction tasks ran on executors");
    assertFalse(ranTasks.contains("driver"));

    Path localOut = tmp.resolve("predictions-local");
    runLocal("predict", "--model", model.toString(), "--input", digits(), "--output",
        localOut.toString());
    SparkSession spark = SparkTestSession.start("StandaloneClusterTest");
    try {
      List<PredictionRow> cluster = predictionRows(spark, clusterOut);
      List<PredictionRow> local = predictionRows(spark, localOut);
      assertEquals(1797, cluster.size());
      String differences = PredictionRow.differences(local, cluster, PREDICTION_TOLERANCE);
      assertTrue(differences.isEmpty(), "the cluster's predictions are the local ones: "
          + differences);
    } finally {
      spark.stop();
    }
  }

  @Test
  @Order(4)
  void train_executorKilledMidway_lostTasksAndBlocksRecomputedAndModelUnchanged()
      throws Exception {
    Path events = Files.createDirectories(tmp.resolve("events-kill"));
    Path model = tmp.resolve("digits-killed-executor");
    Background driver = launch("train-kill", clientMode(EventLog.settings(events)),
        digitsTraining(model));
    Pattern epoch5 = Pattern.compile("(?m)^epoch\\s+5/");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRIVER_TIMEOUT_SECONDS);
    while (!epoch5.matcher(driver.output()).find()) {
      assertTrue(driver.process.isAlive(), "driver ended before epoch 5:\n" + driver.output());
      assertTrue(System.nanoTime() < deadline, "no epoch 5 in time:\n" + driver.output());
      Thread.sleep(50);
    }
    List<Executor> running = cluster.executors();
    assertEquals(2, running.size(), "two executors while training: " + running);
    Executor victim = running.stream().min(Comparator.comparing(Executor::id)).orElseThrow();
    ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly(); // SIGKILL
    String outputAtKill = driver.output();

    Result r = driver.await(DRIVER_TIMEOUT_SECONDS);
    report("train, executor " + victim.id() + " killed", r);
    assertEquals(0, r.code(), r.output());
    assertFalse(outputAtKill.contains("model written"), "killed while training:\n" + outputAtKill);

    EventLog log = EventLog.read(events);
    assertEquals(victim.appId(), log.appId());
    int removed = log.indexOf("SparkListenerExecutorRemoved", "Executor ID", victim.id());
    assertTrue(removed >= 0, "the driver saw executor " + victim.id() + " go");
    List<BlockUpdate> blocks = log.rddBlockUpdates();
    Set<String> lostBlocks = blocks.stream()
        .filter(b -> b.index() < removed && b.executor().equals(victim.id())
            && b.memory() + b.disk() > 0)
        .map(BlockUpdate::block).collect(Collectors.toSet());
    assertFalse(lostBlocks.isEmpty(), "the killed executor held cached blocks");
    Set<String> recomputed = blocks.stream()
        .filter(b -> b.index() > removed && !b.executor().equals(victim.id())
            && b.memory() + b.disk() > 0)
        .map(BlockUpdate::block).collect(Collectors.toSet());
    assertTrue(recomputed.containsAll(lostBlocks),
        "lost blocks " + lostBlocks + " cached again elsewhere, got " + recomputed);
    assertModelsEqual(localDigitsModel, model);
  }

  @Test
  @Order(5)
  void train_driverKilledAfterCheckpoint_resumeOnClusterGivesUninterruptedModel()
      throws Exception {
    Path checkpoints = tmp.resolve("driver-kill-checkpoints");
    Path model = tmp.resolve("digits-killed-driver");
    Background driver = launch("train-driver-kill", clientMode(List.of()),
        with(digitsTraining(model), "checkpoint.dir=" + checkpoints, "checkpoint.every=1"));
    Configuration hadoop = new Configuration();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRIVER_TIMEOUT_SECONDS);
    while (CheckpointStore.latestEpoch(hadoop, checkpoints.toString()).isEmpty()) {
      assertTrue(driver.process.isAlive(), "driver ended before a checkpoint:\n" + driver.output());
      assertTrue(System.nanoTime() < deadline, "no checkpoint in time:\n" + driver.output());
      Thread.sleep(10);
    }
    // Client deploy mode: the submitting JVM (Submit -> SparkSubmit, in process) is the driver.
    List<Executor> executorsAtKill = cluster.executors();
    assertFalse(executorsAtKill.isEmpty(), "executors were running");
    driver.process.destroyForcibly(); // SIGKILL
    assertTrue(driver.process.waitFor(60, TimeUnit.SECONDS));
    assertEquals(128 + 9, driver.process.exitValue(), "killed by SIGKILL:\n" + driver.output());
    int killedAt = CheckpointStore.latestEpoch(hadoop, checkpoints.toString()).orElseThrow();
    System.out.printf("StandaloneClusterTest: driver killed with the checkpoint of epoch %d of"
        + " 25 in place%n", killedAt);
    assertTrue(killedAt < 25, "killed before the end, at epoch " + killedAt);
    assertFalse(driver.output().contains("model written"), driver.output());
    // Nothing under the model's name: a killed run leaves no complete-looking model.
    try (Stream<Path> entries = Files.list(tmp)) {
      List<String> left = entries.map(f -> f.getFileName().toString())
          .filter(n -> n.contains(model.getFileName().toString())).toList();
      assertTrue(left.stream().allMatch(n -> n.startsWith(".")), "only hidden leftovers: " + left);
    }
    // The Master ends the application of the lost driver, and its Workers its executors.
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (executorsAtKill.stream().anyMatch(e -> ProcessHandle.of(e.pid())
        .map(ProcessHandle::isAlive).orElse(false))) {
      assertTrue(System.nanoTime() < deadline, "executors of the killed driver still run: "
          + cluster.executors());
      Thread.sleep(100);
    }

    Result r = launch("train-driver-resume", clientMode(List.of()), "train", "--resume",
        checkpoints.toString()).await(DRIVER_TIMEOUT_SECONDS);
    report("train --resume after driver kill", r);
    assertEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("sparkprop: resuming from "), r.output());
    assertTrue(r.output().contains("master " + cluster.masterUrl), r.output());
    assertEquals(26, Files.readAllLines(model.resolve("history.csv")).size(),
        "the history holds all 25 epochs, those before the kill too");
    assertModelsEqual(localDigitsModel, model);
    Path uninterruptedOnCluster = tmp.resolve("digits-cluster");
    if (Files.exists(uninterruptedOnCluster)) { // when train_twoExecutors_... ran before
      assertModelsEqual(uninterruptedOnCluster, model);
    }
  }

  @Test
  @Order(6)
  void train_executorsTooSmallToCache_blocksSpillToDiskAndModelUnchanged() throws Exception {
    Path data = tmp.resolve("synthetic.parquet");
    SparkSession spark = SparkTestSession.start("StandaloneClusterTest");
    try {
      // 120,000 rows x 32 features: 32 MB of training blocks, 4 files.
      StringBuilder label = new StringBuilder("0.1 * randn(7)");
      List<String> cols = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        cols.add("randn(" + (100 + i) + ") AS f" + i);
        label.append(" + ").append((i % 5) - 2).append(" * 0.1 * f").append(i);
      }
      spark.range(0, 120_000, 1, 4).selectExpr(cols.toArray(String[]::new))
          .selectExpr("*", label + " AS y").write().parquet(data.toString());
    } finally {
      spark.stop();
    }
    Path localModel = tmp.resolve("synthetic-local");
    runLocal(syntheticTraining(data, localModel));

    Path events = Files.createDirectories(tmp.resolve("events-memory"));
    Path model = tmp.resolve("synthetic-cluster");
    List<String> conf = new ArrayList<>(EventLog.settings(events));
    // Unified memory of (512 MiB - 300 MiB reserved) x 0.01: about 2 MB per executor.
    conf.add("spark.executor.memory=512m");
    conf.add("spark.memory.fraction=0.01");
    Result r = launch("train-memory", clientMode(conf), syntheticTraining(data, model))
        .await(DRIVER_TIMEOUT_SECONDS);
    report("train, 2 MB executors", r);
    assertEquals(0, r.code(), r.output());

    List<BlockUpdate> stored = EventLog.read(events).rddBlockUpdates().stream()
        .filter(b -> b.memory() + b.disk() > 0).toList();
    assertFalse(stored.isEmpty(), "blocks were cached");
    assertTrue(stored.stream().allMatch(b -> b.memory() == 0 && b.disk() > 0),
        "every cached block went to disk: " + stored);
    assertModelsEqual(localModel, model);
  }

  @Test
  @Order(7)
  void clientMode_badValueFoundInExecutors_exitsInputWithOneLine() throws Exception {
    Path csv = tmp.resolve("nan.csv");
    Files.writeString(csv, "a,b,y\n1.0,2.0,0.5\n2.0,NaN,1.5\n3.0,4.0,0.1\n");
    Path out = tmp.resolve("nan-model");
    Result r = launch("bad-input", clientMode(List.of()), "train", "input=" + csv, "label=y",
        "task=regression", "output=" + out).await(DRIVER_TIMEOUT_SECONDS);
    assertEquals(3, r.code(), r.output());
    assertTrue(r.output().contains("sparkprop: error: 1 of 3 input rows cannot be used; the first"
        + " is row 1 (0-based, in input order): features has a NaN value in column 'b'"),
        r.output());
    assertFalse(r.output().contains("\tat "), "no stack trace:\n" + r.output());
    assertFalse(Files.exists(out));
  }

  @Test
  @Order(8)
  void clusterDeployMode_driverFails_exitsNonZeroThoughSparkSubmitWouldNot() throws Exception {
    Path csv = tmp.resolve("nan-cluster.csv");
    Files.writeString(csv, "a,b,y\n1.0,2.0,0.5\n2.0,NaN,1.5\n3.0,4.0,0.1\n");
    Result r = submit("cluster-fail", clusterMode(), "cluster", "train", "input=" + csv, "label=y",
        "task=regression", "output=" + tmp.resolve("cluster-fail-model"))
        .await(DRIVER_TIMEOUT_SECONDS);
    // Not 1 (internal error) nor the driver's own 3: the Master reports only FAILED.
    assertEquals(7, Submit.DRIVER_FAILED);
    assertEquals(Submit.DRIVER_FAILED, r.code(), r.output());
    assertTrue(r.output().contains("State of driver driver-"), r.output());
    assertTrue(r.output().lines().anyMatch(l -> l.startsWith("sparkprop: error: driver driver-")
        && l.contains(" ended FAILED on " + cluster.masterUrl)), r.output());
    // The driver's own one-line error is in its log on the Worker, as the message says.
    try (Stream<Path> files = Files.walk(cluster.stateDir.resolve("work"))) {
      assertTrue(files.filter(f -> f.toString().matches(".*/driver-[^/]+/stderr"))
          .anyMatch(f -> read(f).contains("sparkprop: error: 1 of 3 input rows cannot be used")));
    }
  }

  @Test
  @Order(9)
  void clusterDeployMode_driverFinishes_exitsZero() throws Exception {
    Path csv = tmp.resolve("ok-cluster.csv");
    StringBuilder sb = new StringBuilder("a,b,y\n");
    for (int i = 0; i < 50; i++) {
      sb.append(i * 0.1).append(',').append(i % 7).append(',').append(i * 0.2 + 1).append('\n');
    }
    Files.writeString(csv, sb.toString());
    Path out = tmp.resolve("cluster-ok-model");
    // A file:// URI: the model is written through Hadoop's file system API, as to hdfs://.
    Result r = submit("cluster-ok", clusterMode(), "cluster", "train", "input=" + csv, "label=y",
        "task=regression", "epochs=3", "output=" + out.toUri()).await(DRIVER_TIMEOUT_SECONDS);
    assertEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("FINISHED on " + cluster.masterUrl), r.output());
    assertEquals(3, ModelStore.load(out).metadata().get("training") instanceof Map<?, ?> t
        ? ((Number) t.get("epochs")).intValue() : -1);
  }

  // ---------------------------------------------------------------- helpers

  /** Prints the driver's timing lines (the test log is where CI's timings are read). */
  static void report(String what, Result r) {
    r.output().lines().filter(l -> l.contains(" prepared in ") || l.startsWith("trained "))
        .forEach(l -> System.out.println("StandaloneClusterTest: " + what + ": " + l));
  }

  static String digits() {
    return LocalCluster.ROOT.resolve("src/data/digits.parquet").toString();
  }

  /** Digits, 25 epochs over 4 partitions of 128-row blocks (conf/digits.conf otherwise). */
  static String[] digitsTraining(Path output) {
    return new String[] {"train", "--conf", LocalCluster.ROOT.resolve("conf/digits.conf").toString(),
        "input=" + digits(), "epochs=25", "partitions=4", "block-size=128", "log-every=1",
        "output=" + output};
  }

  static String[] with(String[] args, String... more) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(Arrays.asList(more));
    return all.toArray(String[]::new);
  }

  static String[] syntheticTraining(Path data, Path output) {
    return new String[] {"train", "input=" + data, "label=y", "task=regression",
        "network.hidden=[16]", "network.hidden-activation=tanh", "epochs=6", "block-size=512",
        "partitions=4", "log-every=1", "output=" + output};
  }

  /** Spark settings of a client-mode driver: no UI, parallelism as on local[2]. */
  static List<String> clientMode(List<String> more) {
    List<String> conf = new ArrayList<>(List.of("spark.ui.enabled=false",
        "spark.default.parallelism=2"));
    conf.addAll(more);
    return conf;
  }

  /** Spark settings of a driver in standalone cluster deploy mode: it runs on a Worker. */
  static List<String> clusterMode() {
    return List.of("spark.ui.enabled=false", "spark.driver.memory=512m",
        "spark.driver.extraJavaOptions=" + LocalCluster.FAST_START_JAVA_OPTS);
  }

  static Background launch(String name, List<String> conf, String... args) throws IOException {
    return submit(name, conf, "client", args);
  }

  static Background submit(String name, List<String> conf, String deployMode, String... args)
      throws IOException {
    Background b = new Background(cluster.submitCommand(conf, deployMode, args),
        tmp.resolve(name + ".log"));
    launched.add(b);
    return b;
  }

  static void runLocal(String... argv) {
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    args.addAll(List.of("--master", "local[2]"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args.toArray(String[]::new), new PrintStream(out, true,
        StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, code, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
  }

  /** Every parameter equal within {@link #MODEL_TOLERANCE}, relative to max(1, |value|). */
  static void assertModelsEqual(Path expectedDir, Path actualDir) throws IOException {
    double[] expected = ModelStore.load(expectedDir).params();
    double[] actual = ModelStore.load(actualDir).params();
    assertEquals(expected.length, actual.length);
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i])
          / Math.max(1, Math.abs(expected[i])));
    }
    System.out.printf("StandaloneClusterTest: %s vs %s: largest difference %.3g%n",
        expectedDir.getFileName(), actualDir.getFileName(), worst);
    assertTrue(worst <= MODEL_TOLERANCE, "largest parameter difference " + worst);
  }

  /**
   * One row of {@code predict}'s output: the input columns as text (the key rows are matched
   * by), the predicted class and the class probabilities.
   */
  record PredictionRow(String input, double prediction, double[] probability) {
    /**
     * Where {@code actual} differs from {@code expected} (both sorted by input) beyond
     * {@code tolerance} on any probability, or in a predicted class whose two most likely
     * classes are more than {@code tolerance} apart: a count and the first three, or "" if none.
     */
    static String differences(List<PredictionRow> expected, List<PredictionRow> actual,
        double tolerance) {
      if (expected.size() != actual.size()) {
        return expected.size() + " rows expected, " + actual.size() + " found";
      }
      List<String> found = new ArrayList<>();
      double worst = 0;
      for (int i = 0; i < expected.size(); i++) {
        PredictionRow e = expected.get(i);
        PredictionRow a = actual.get(i);
        if (!e.input.equals(a.input)) {
          found.add("row " + i + " has input " + shorten(a.input) + ", expected "
              + shorten(e.input));
          continue;
        }
        double diff = maxDifference(e.probability, a.probability);
        worst = Math.max(worst, diff);
        boolean tie = secondGap(e.probability) <= tolerance;
        if (diff > tolerance || e.prediction != a.prediction && !tie) {
          found.add("row " + i + ": prediction " + a.prediction + " vs " + e.prediction
              + ", largest probability difference " + diff);
        }
      }
      System.out.printf("StandaloneClusterTest: predictions: largest probability difference "
          + "%.3g%n", worst);
      return found.isEmpty() ? "" : found.size() + " of " + expected.size()
          + " rows differ, e.g. " + String.join("; ", found.subList(0, Math.min(3, found.size())));
    }

    private static double maxDifference(double[] a, double[] b) {
      if (a.length != b.length) {
        return Double.POSITIVE_INFINITY;
      }
      double worst = 0;
      for (int i = 0; i < a.length; i++) {
        worst = Math.max(worst, Math.abs(a[i] - b[i]));
      }
      return worst;
    }

    /** The largest probability minus the second largest. */
    private static double secondGap(double[] p) {
      double[] sorted = p.clone();
      Arrays.sort(sorted);
      return sorted.length < 2 ? Double.POSITIVE_INFINITY
          : sorted[sorted.length - 1] - sorted[sorted.length - 2];
    }

    private static String shorten(String s) {
      return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
  }

  /** {@code predict}'s output rows, sorted by their input columns. */
  static List<PredictionRow> predictionRows(SparkSession spark, Path dir) {
    List<PredictionRow> rows = new ArrayList<>();
    Dataset<Row> df = spark.read().parquet(dir.toString());
    List<String> inputs = Arrays.stream(df.columns())
        .filter(c -> !c.equals("prediction") && !c.equals("probability")).toList();
    for (Row row : df.collectAsList()) {
      StringBuilder sb = new StringBuilder();
      for (String c : inputs) {
        sb.append(String.valueOf(row.<Object>getAs(c))).append(';');
      }
      rows.add(new PredictionRow(sb.toString(), row.<Double>getAs("prediction"),
          row.<Vector>getAs("probability").toArray()));
    }
    rows.sort(Comparator.comparing(PredictionRow::input));
    return rows;
  }

  /** Whether process {@code pid} has a native BLAS library mapped (Linux /proc), else false. */
  static boolean nativeBlasLoaded(long pid) {
    try (Stream<String> maps = Files.lines(Path.of("/proc", Long.toString(pid), "maps"))) {
      return maps.anyMatch(l -> l.contains("libopenblas") || l.contains("libblas.so"));
    } catch (IOException | UncheckedIOException e) {
      return false; // gone, or not readable
    }
  }

  static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      return "";
    }
  }
}
