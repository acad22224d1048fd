package dev.sparkprop.bench;

import com.typesafe.config.ConfigFactory;
import dev.ludovic.netlib.blas.BLAS;
import dev.sparkprop.bench.Results.Stats;
import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Init;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.nn.Precision;
import dev.sparkprop.nn.VectorMath;
import dev.sparkprop.optim.GradientDescent;
import dev.sparkprop.spark.SparkObjective;
import dev.sparkprop.train.EpochStats;
import dev.sparkprop.train.Metrics;
import dev.sparkprop.train.Trainer;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.util.SizeEstimator;

/**
 * sparkprop against Spark MLlib's MultilayerPerceptronClassifier, and against the hardware's
 * limit, in one run (issue 6). Prints one table and writes it as CSV and JSON. Never asserts a
 * time; fails (non-zero exit) only when the harness itself breaks or an arithmetic cross-check
 * between the two engines disagrees.
 *
 * <pre>
 *   scripts/bench [--quick] [--out DIR] [--sections lesson,image,hardware,fixed,memory,sweep]
 * </pre>
 */
public final class Bench {
  private static final int LESSON_FEATURES = 10;

  // ---- options ----
  private boolean quick;
  private boolean skipMlpc; // sparkprop only: A/B runs of a change in src/main
  private Path out = Path.of("target", "bench");
  private Set<String> sections = new LinkedHashSet<>(
      List.of("lesson", "image", "hardware", "fixed", "memory", "sweep", "tta"));
  private int partitions = 2;
  private int reps = 3;
  private int epochs = 6;
  private int warmup = 2;
  private long lessonRows = 200_000;
  private int imageLimit = 0;
  private int testLimit = 0;
  // Full-batch gd on sigmoid layers learns Fashion-MNIST slowly. Measured (sparkprop, lr 0.5,
  // test accuracy): 20 epochs 0.32, 50 0.61, 100 0.65, 150 0.70; lr 2: 100 epochs 0.69, 150
  // 0.72; lr 5 and 10 diverge. 150 epochs at the timing runs' rate reach a sensible accuracy.
  private int accuracyEpochs = 150;
  private double accuracyRate = Double.NaN; // NaN: the network's timing rate (--image-rate)
  private double lessonRate = 0.1;
  private double imageRate = 0.5;
  private String fashionDir = "/usr/share/datasets/fashion-mnist";
  private int[] sweepSizes = {128, 256, 512, 1024, 2048, 4096, 8192};
  private int[] sweepPartitions = {4, 8};
  private int blockSize; // sparkprop's default, from reference.conf
  private int depth;
  private double gemmSeconds = 0.3;
  private long seed = 42;
  private int ttaEpochs = 10;
  private int localSteps = 8;

  private SparkSession spark;
  private JavaSparkContext sc;
  private JobTimes jobs;
  private final Results results = new Results();

  /** What one network on one data set measured, for the later sections. */
  private final class Shape {
    final String key;
    final NetworkSpec spec;
    final Source train;
    final double rate;
    Stats sparkprop;
    double mlpcDefault = Double.NaN;
    double mlpcBest = Double.NaN;
    String mlpcBestName = "";
    double productsOnly; // rows/s of the products alone, both cores
    Stats sparkpropCpu; // task CPU seconds per pass
    Stats sparkprop32; // network.precision = float32
    Stats sparkpropCpu32;
    SparkObjective objective32;
    double productsCpuFraction = Double.NaN;
    double mlpcDefaultCpu = Double.NaN; // task CPU per pass of MLPC gd, block 128
    double mlpcBestCpu = Double.NaN;
    SparkObjective objective;

    Shape(String key, NetworkSpec spec, Source train, double rate) {
      this.key = key;
      this.spec = spec;
      this.train = train;
      this.rate = rate;
    }
  }

  private Shape lesson;
  private Shape image;

  public static void main(String[] argv) {
    try {
      Bench b = new Bench();
      b.parse(argv);
      b.run();
    } catch (Throwable t) {
      System.err.println("bench: FAILED: " + t);
      t.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  private void parse(String[] argv) {
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      switch (a) {
        case "--quick" -> quick = true;
        case "--skip-mlpc" -> skipMlpc = true;
        case "--out" -> out = Path.of(value(argv, ++i, a));
        case "--sections" -> sections = new LinkedHashSet<>(
            Arrays.asList(value(argv, ++i, a).split(",")));
        case "--reps" -> reps = Integer.parseInt(value(argv, ++i, a));
        case "--epochs" -> epochs = Integer.parseInt(value(argv, ++i, a));
        case "--partitions" -> partitions = Integer.parseInt(value(argv, ++i, a));
        case "--lesson-rows" -> lessonRows = Long.parseLong(value(argv, ++i, a));
        case "--accuracy-epochs" -> accuracyEpochs = Integer.parseInt(value(argv, ++i, a));
        case "--accuracy-rate" -> accuracyRate = Double.parseDouble(value(argv, ++i, a));
        case "--image-rate" -> imageRate = Double.parseDouble(value(argv, ++i, a));
        case "--fashion-dir" -> fashionDir = value(argv, ++i, a);
        case "--block-size" -> blockSize = Integer.parseInt(value(argv, ++i, a));
        case "--tta-epochs" -> ttaEpochs = Integer.parseInt(value(argv, ++i, a));
        case "--local-steps" -> localSteps = Integer.parseInt(value(argv, ++i, a));
        case "--sweep" -> sweepSizes = Arrays.stream(value(argv, ++i, a).split(","))
            .mapToInt(Integer::parseInt).toArray();
        case "--help", "-h" -> {
          System.out.println("usage: scripts/bench [--quick] [--out DIR] [--sections "
              + String.join(",", sections) + "] [--reps N] [--epochs N] [--partitions N]\n"
              + "  [--lesson-rows N] [--accuracy-epochs N] [--accuracy-rate X] [--image-rate X]\n"
              + "  [--fashion-dir DIR]\n"
              + "  [--block-size N] [--sweep 128,256,...] [--skip-mlpc]\n"
              + "  [--tta-epochs N] [--local-steps K]   (section tta: time to accuracy)");
          System.exit(0);
        }
        default -> throw new IllegalArgumentException("unknown option " + a + "; try --help");
      }
    }
    Set<String> known = Set.of("lesson", "image", "hardware", "fixed", "memory", "sweep", "tta");
    for (String s : sections) {
      if (!known.contains(s)) {
        throw new IllegalArgumentException("unknown section '" + s + "', expected " + known);
      }
    }
    if (quick) {
      // Smoke mode: every code path, tiny sizes; the numbers mean nothing.
      reps = 2;
      epochs = 2;
      warmup = 1;
      lessonRows = 4_000;
      imageLimit = 1_000;
      testLimit = 500;
      accuracyEpochs = 2;
      sweepSizes = new int[] {128, 1024};
      sweepPartitions = new int[] {4};
      gemmSeconds = 0.01;
      ttaEpochs = 2;
    }
  }

  private static String value(String[] argv, int i, String option) {
    if (i >= argv.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return argv[i];
  }

  private void run() throws Exception {
    var defaults = ConfigFactory.defaultReference().getConfig("sparkprop");
    if (blockSize == 0) {
      blockSize = defaults.getInt("block-size");
    }
    depth = defaults.getInt("aggregation-depth");
    String blas = BLAS.getInstance().getClass().getSimpleName();
    String threads = System.getenv("OPENBLAS_NUM_THREADS");
    if (blas.equals("JNIBLAS") && !"1".equals(threads)) {
      throw new IllegalStateException("native OpenBLAS with OPENBLAS_NUM_THREADS="
          + threads + ": run through scripts/bench, which sets it to 1");
    }
    spark = SparkSession.builder().appName("sparkprop-bench").master("local[" + partitions + "]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", String.valueOf(partitions))
        .config("spark.executorEnv.OPENBLAS_NUM_THREADS", "1")
        // As sparkprop's own sessions set it (a gradient above 1 MiB otherwise takes a second
        // round trip); here it serves MLPC's gradients alike.
        .config("spark.task.maxDirectResultSize", "64m")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jobs = JobTimes.register(spark.sparkContext());
    results.info("mode", quick ? "quick (smoke: tiny sizes, numbers mean nothing)" : "full");
    results.info("spark", spark.version() + ", master " + spark.sparkContext().master());
    results.info("blas", blas + (blas.equals("JNIBLAS") ? " (native OpenBLAS), "
        + "OPENBLAS_NUM_THREADS=" + threads : " (pure Java)"));
    results.info("element-wise", VectorMath.path());
    results.info("jvm", System.getProperty("java.vm.name") + " "
        + System.getProperty("java.runtime.version") + ", heap "
        + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB, "
        + Runtime.getRuntime().availableProcessors() + " cpus");
    results.info("sparkprop", "block size " + blockSize + " (reference.conf default), "
        + "aggregation depth " + depth + ", " + partitions + " partitions, float64");
    results.info("repetitions", (quick ? "" : WARMUP_ROUNDS + " untimed warm-up rounds, then ")
        + reps + " timed rounds (a round fits every engine once, interleaved); a fit: "
        + epochs + " timed epochs/iterations after " + warmup
        + " warm-up; median and min-max of per-epoch times");
    results.info("load at start", loadAverage());
    long t0 = System.nanoTime();
    try {
      lesson = new Shape("lesson", NetworkSpec.of(new int[] {LESSON_FEATURES, 32, 32, 32, 32, 32,
          32, 2}, Activation.SIGMOID, Activation.SOFTMAX, Loss.CROSS_ENTROPY),
          new Source.Synthetic(lessonRows, LESSON_FEATURES, seed), lessonRate);
      boolean needImage = sections.contains("image") || sections.contains("memory")
          || sections.contains("hardware") || sections.contains("sweep");
      if (needImage) {
        image = new Shape("image", NetworkSpec.of(new int[] {784, 256, 128, 10},
            Activation.SIGMOID, Activation.SOFTMAX, Loss.CROSS_ENTROPY),
            new Source.FashionMnist(fashionDir, true, imageLimit), imageRate);
        if (!Files.exists(Path.of(fashionDir, "train-images-idx3-ubyte.gz"))) {
          throw new IllegalStateException("Fashion-MNIST not found under " + fashionDir
              + "; apt-get install dataset-fashion-mnist (scripts/bench does) or --fashion-dir");
        }
      }
      for (Shape s : new Shape[] {lesson, image}) {
        if (s != null && (sections.contains(s.key) || sections.contains("memory")
            || sections.contains("hardware"))) {
          long started = System.nanoTime();
          versusMlpc(s, sections.contains(s.key));
          if (sections.contains("memory")) {
            memory(s);
          }
          if (sections.contains("hardware")) {
            hardware(s);
          }
          if (s == image && sections.contains("image") && !skipMlpc) {
            accuracy(s);
          }
          s.objective.close();
          s.objective = null;
          if (s.objective32 != null) {
            s.objective32.close();
            s.objective32 = null;
          }
          log("%s network done in %.0f s", s.key, (System.nanoTime() - started) / 1e9);
        }
      }
      if (sections.contains("fixed")) {
        long started = System.nanoTime();
        fixedCost();
        log("fixed cost done in %.0f s", (System.nanoTime() - started) / 1e9);
      }
      if (sections.contains("sweep")) {
        long started = System.nanoTime();
        sweep(lesson);
        sweep(image);
        partitionSweep(lesson);
        log("sweep done in %.0f s", (System.nanoTime() - started) / 1e9);
      }
      if (sections.contains("tta")) {
        long started = System.nanoTime();
        new TimeToAccuracy(spark, jobs, results, quick, skipMlpc, fashionDir, out, partitions,
            ttaEpochs, localSteps).run();
        log("time to accuracy done in %.0f s", (System.nanoTime() - started) / 1e9);
      }
      targets();
    } finally {
      results.info("load at end", loadAverage());
      results.info("wall time", String.format(Locale.ROOT, "%.0f s",
          (System.nanoTime() - t0) / 1e9));
      results.print(System.out);
      Files.createDirectories(out);
      results.writeCsv(out.resolve("bench.csv"));
      results.writeJson(out.resolve("bench.json"));
      System.out.println("\nwrote " + out.resolve("bench.csv") + " and "
          + out.resolve("bench.json"));
      spark.stop();
    }
    check();
  }

  // ---- 1, 2: sparkprop against MLPC on the same data ----

  private void versusMlpc(Shape s, boolean compare) {
    log("%s: %s on %s, %,d rows", s.key, Arrays.toString(s.spec.sizes()), s.train.name(),
        s.train.rows());
    double[] init = Init.AUTO.initialize(s.spec, seed);
    JavaRDD<Block> blocks = Source.blocks(sc, s.train, partitions, blockSize);
    s.objective = new SparkObjective(blocks, s.spec, depth);
    long rows = s.objective.numRows();
    if (!compare) {
      return;
    }
    s.objective32 = new SparkObjective(Source.blocks(sc, s.train, partitions, blockSize)
        .map(b -> b.to(Precision.FLOAT32)), s.spec, depth);
    s.objective32.numRows();

    record Config(String solver, int block) {
      boolean gd() {
        return solver.equals("gd");
      }
    }
    List<Config> configs = new ArrayList<>();
    if (!skipMlpc) {
      configs.add(new Config("gd", 128));
      configs.add(new Config("gd", 1024));
      if (s == lesson) {
        configs.add(new Config("l-bfgs", 128));
      }
    }
    Dataset<Row> df = null;
    if (!configs.isEmpty()) {
      df = Source.dataFrame(spark, s.train, partitions).cache();
      df.count();
    }
    final Dataset<Row> data = df;
    Engine f64 = new Engine("sparkprop", () -> sparkpropFit(s.objective, s.rate, init));
    Engine f32 = new Engine("sparkprop float32", () -> sparkpropFit(s.objective32, s.rate,
        init));
    List<Engine> engines = new ArrayList<>(List.of(f64, f32));
    for (Config c : configs) {
      int skipped = c.gd() ? warmup : 0;
      int timed = c.gd() ? epochs : Math.max(2, epochs / 2);
      engines.add(new Engine("MLPC " + c.solver() + " block " + c.block(), () -> {
        Mlpc.Timing t = Mlpc.time(jobs, data, s.spec, init, c.solver(), c.block(), s.rate,
            skipped, timed);
        if (c.gd()) {
          mlpcExtraIterations = t.objectiveHistory().length - (warmup + timed);
        }
        return new Fit(t.secondsPerIteration(), t.passCpuSeconds(), t.passSeconds(),
            t.passesPerIteration(), t.objectiveHistory(), Outside.NONE);
      }));
    }
    rounds(s.key, engines);

    s.sparkprop = f64.stats();
    double[] sparkpropLosses = f64.losses();
    results.add(s.key, "sparkprop gd, block " + blockSize, "s/epoch", s.sparkprop,
        rows / s.sparkprop.median(), Double.NaN, "", "1 pass per epoch");
    s.sparkpropCpu = f64.cpu();
    results.add(s.key, "sparkprop gd, task CPU per pass", "CPU s", s.sparkpropCpu,
        Double.NaN, Double.NaN, "", "summed over tasks; hardly inflated by other load");
    results.info(s.key + " sparkprop epoch outside its tasks", String.format(Locale.ROOT,
        "median ms: job start to first task %.0f, last task to job end %.0f, driver between "
            + "epochs' jobs %.0f", median(f64.all(f -> f.outside().launch())),
        median(f64.all(f -> f.outside().tail())), median(f64.all(f -> f.outside().between()))));
    float32(s, f32, sparkpropLosses);

    for (int i = 0; i < configs.size(); i++) {
      Config c = configs.get(i);
      Engine e = engines.get(2 + i);
      Stats st = e.stats();
      double passes = e.last().passes();
      String name = "MLPC " + c.solver() + ", block " + c.block()
          + (c.block() == 128 ? " (default)" : "");
      results.add(s.key, name, "s/iteration", st, rows / st.median(),
          st.median() / s.sparkprop.median(), "sparkprop faster",
          String.format(Locale.ROOT, "%.2f passes/iteration, pass %.3f s", passes,
              Stats.of(e.all(Fit::pass)).median()));
      Stats cpuStats = e.cpu();
      results.add(s.key, name + ", task CPU per pass", "CPU s", cpuStats, Double.NaN,
          cpuStats.median() / s.sparkpropCpu.median(), "sparkprop's CPU per pass", "");
      if (c.gd()) {
        if (c.block() == 128) {
          s.mlpcDefault = st.median();
          s.mlpcDefaultCpu = cpuStats.median();
        }
        if (Double.isNaN(s.mlpcBestCpu) || cpuStats.median() < s.mlpcBestCpu) {
          s.mlpcBestCpu = cpuStats.median();
        }
        if (Double.isNaN(s.mlpcBest) || st.median() < s.mlpcBest) {
          s.mlpcBest = st.median();
          s.mlpcBestName = "block " + c.block();
        }
        // Same initial weights, data and update rule: the loss of every epoch must agree.
        lossCurves(s.key + ", " + name, sparkpropLosses, e.losses());
      } else {
        results.add(s.key, "MLPC " + c.solver() + " per pass", "s/pass",
            Stats.one(st.median() / passes),
            rows / (st.median() / passes), st.median() / passes / s.sparkprop.median(),
            "sparkprop faster", "iteration time / passes per iteration");
      }
    }
    if (df != null) {
      df.unpersist(true);
      log("%s: sparkprop %.3f s/epoch, MLPC gd default %.3f s/iteration", s.key,
          s.sparkprop.median(), s.mlpcDefault);
    }
  }

  /**
   * What one timed fit measured: seconds per timed epoch (iteration), task CPU seconds and wall
   * seconds per gradient pass, passes per iteration and the training loss of every epoch.
   */
  private record Fit(List<Double> perEpoch, List<Double> cpu, List<Double> pass, double passes,
      double[] losses, Outside outside) {}

  /**
   * Milliseconds of each timed sparkprop epoch spent outside its tasks: from the pass's job
   * start to its first task's launch, from its last task's end to the job's end, and on the
   * driver from the job's end to the next epoch's job start (the step, the broadcast).
   */
  private record Outside(List<Double> launch, List<Double> tail, List<Double> between) {
    static final Outside NONE = new Outside(List.of(), List.of(), List.of());

    static Outside of(List<JobTimes.Job> passes, int from) {
      List<Double> launch = new ArrayList<>();
      List<Double> tail = new ArrayList<>();
      List<Double> between = new ArrayList<>();
      for (int k = from; k < passes.size(); k++) {
        JobTimes.Job j = passes.get(k);
        launch.add((double) (j.firstLaunch() - j.start()));
        tail.add((double) (j.end() - j.lastFinish()));
        if (k + 1 < passes.size()) {
          between.add((double) (passes.get(k + 1).start() - j.end()));
        }
      }
      return new Outside(launch, tail, between);
    }
  }

  /** One engine of the interleaved rounds: a fit and the timed fits it has made. */
  private static final class Engine {
    final String name;
    final java.util.function.Supplier<Fit> fit;
    final List<Fit> timed = new ArrayList<>();

    Engine(String name, java.util.function.Supplier<Fit> fit) {
      this.name = name;
      this.fit = fit;
    }

    List<Double> all(java.util.function.Function<Fit, List<Double>> part) {
      return timed.stream().flatMap(f -> part.apply(f).stream()).toList();
    }

    Stats stats() {
      return Stats.of(all(Fit::perEpoch));
    }

    Stats cpu() {
      return Stats.of(all(Fit::cpu));
    }

    Fit last() {
      return timed.get(timed.size() - 1);
    }

    double[] losses() {
      return last().losses();
    }
  }

  /**
   * Untimed warm-up rounds, then timed rounds; every round fits each engine once, in turn.
   * Interleaved, so the engines share the JVM's warmth alike: on 2 cores, C2 keeps compiling
   * Spark's per-job driver code (closure and task serialisation, call sites) for minutes after
   * start, taking CPU from the task threads, and an engine timed after another would run in a
   * warmer JVM (measured: the lesson network's epochs fall from 0.55 s in the first fits to
   * 0.35 s after a minute, with the same task CPU).
   */
  private void rounds(String key, List<Engine> engines) {
    int warm = quick ? 0 : WARMUP_ROUNDS;
    int timed = quick ? 1 : reps;
    Jit jit = Jit.start();
    for (int r = 0; r < warm + timed; r++) {
      if (r == warm) {
        jit = Jit.start();
      }
      for (Engine e : engines) {
        Fit f = e.fit.get();
        if (r >= warm) {
          e.timed.add(f);
        }
      }
      log("%s: round %d of %d (%s) done", key, r + 1, warm + timed, r < warm ? "warm-up"
          : "timed");
    }
    results.info("JIT during timing: " + key, String.format(Locale.ROOT,
        "compiling %.1f%% of the wall time (engines interleaved, so alike for all)",
        jit.share() * 100));
  }

  /** One sparkprop fit of warm-up + timed epochs; the first {@code warmup} are not timed. */
  private Fit sparkpropFit(SparkObjective objective, double rate, double[] init) {
    int mark = jobs.mark();
    List<EpochStats> h = fit(objective, rate, warmup + epochs, init);
    List<JobTimes.Job> passes = jobs.since(mark, "SparkObjective");
    List<Double> cpu = new ArrayList<>();
    for (int k = warmup; k < passes.size(); k++) {
      cpu.add(passes.get(k).cpuNanos() / 1e9);
    }
    return new Fit(epochSeconds(h, warmup), cpu, List.of(), 1,
        h.stream().mapToDouble(EpochStats::trainLoss).toArray(), Outside.of(passes, warmup));
  }

  /**
   * The float32 option (network.precision = float32) on the same rows: its own rows, never in
   * place of float64's; its cached size; and its loss curve against float64's (same data and
   * initial weights: the curves agree to float rounding, a check that it trains the same net).
   */
  private void float32(Shape s, Engine f32, double[] f64) {
    long rows = s.objective32.numRows();
    s.sparkprop32 = f32.stats();
    s.sparkpropCpu32 = f32.cpu();
    double[] losses = f32.losses();
    results.add(s.key, "sparkprop gd float32, block " + blockSize, "s/epoch", s.sparkprop32,
        rows / s.sparkprop32.median(), s.sparkprop.median() / s.sparkprop32.median(),
        "float64's time",
        "network.precision = float32");
    results.add(s.key, "sparkprop gd float32, task CPU per pass", "CPU s", s.sparkpropCpu32,
        Double.NaN, s.sparkpropCpu.median() / s.sparkpropCpu32.median(), "float64's CPU",
        "summed over tasks");
    double worst = 0;
    for (int i = 0; i < f64.length; i++) {
      worst = Math.max(worst, Math.abs(losses[i] - f64[i]) / Math.abs(f64[i]));
    }
    results.info("check " + s.key + " float32", String.format(Locale.ROOT,
        "training loss over %d epochs: float32 %.6f -> %.6f, float64 %.6f -> %.6f, worst "
            + "relative difference %.1e (limit 1e-3)", f64.length, losses[0],
        losses[f64.length - 1], f64[0], f64[f64.length - 1], worst));
    if (!(worst <= 1e-3)) {
      failures.add(s.key + " float32: loss curve differs from float64's by " + worst);
    }
  }

  /**
   * Test accuracy after the same epochs with the same optimizer, learning rate and initial
   * weights: sparkprop float64, sparkprop float32 (evaluated in float64, as predict does) and
   * MLPC.
   */
  private void accuracy(Shape s) {
    Source test = new Source.FashionMnist(fashionDir, false, testLimit);
    double[] init = Init.AUTO.initialize(s.spec, seed);
    double rate = Double.isNaN(accuracyRate) ? s.rate : accuracyRate;
    String same = String.format(Locale.ROOT, "%d epochs gd lr %.2f, same initial weights; "
        + "%,d test rows", accuracyEpochs, rate, test.rows());
    List<EpochStats> h = null;
    try (SparkObjective testObjective = new SparkObjective(Source.blocks(sc, test, partitions,
        blockSize), s.spec, depth)) {
      for (SparkObjective o : s.objective32 == null ? List.of(s.objective)
          : List.of(s.objective, s.objective32)) {
        List<EpochStats> history = fit(o, rate, accuracyEpochs, init);
        double acc = testObjective.evaluate(lastFit.params(), Metrics.Spec.classification(10))
            .accuracy();
        results.add(s.key, o == s.objective ? "sparkprop test accuracy"
            : "sparkprop float32 test accuracy", "fraction", Stats.one(acc), Double.NaN,
            Double.NaN, "", same + String.format(Locale.ROOT,
                "; loss at the last epoch %.4f; fit %.1f s",
                history.get(history.size() - 1).trainLoss(),
                history.stream().mapToDouble(EpochStats::seconds).sum()));
        h = o == s.objective ? history : h;
      }
    }

    Dataset<Row> df = Source.dataFrame(spark, s.train, partitions).cache();
    df.count();
    Dataset<Row> testDf = Source.dataFrame(spark, test, partitions).cache();
    long start = System.nanoTime();
    // MLlib's gd makes maxIter + mlpcExtraIterations passes and steps (measured above).
    var model = Mlpc.classifier(s.spec, init, "gd", 128, rate,
        accuracyEpochs - mlpcExtraIterations).fit(df);
    double mlpcSeconds = (System.nanoTime() - start) / 1e9;
    double accMlpc = Mlpc.accuracy(model, testDf);
    double[] hist = model.summary().objectiveHistory();
    if (hist.length != accuracyEpochs) {
      throw new IllegalStateException("MLPC made " + hist.length + " steps, expected "
          + accuracyEpochs);
    }
    df.unpersist(true);
    testDf.unpersist(true);
    results.add(s.key, "MLPC test accuracy (gd, block 128)", "fraction", Stats.one(accMlpc),
        Double.NaN, Double.NaN, "", same + String.format(Locale.ROOT,
            "; loss at the last epoch %.4f; fit %.1f s", hist[hist.length - 1], mlpcSeconds));
    lossCurves(s.key + " accuracy run", h.stream().mapToDouble(EpochStats::trainLoss).toArray(),
        hist);
  }

  // ---- 3: the hardware's limit ----

  private void hardware(Shape s) throws Exception {
    Gemm g = new Gemm(s.spec, blockSize);
    long rows = s.objective.numRows();
    long perThread = rows / partitions;
    String shapes = String.format(Locale.ROOT, "%s at block %d, %,d flop/row",
        Arrays.toString(s.spec.sizes()), blockSize, g.flopsPerRow());
    for (Gemm.Kind k : Gemm.Kind.values()) {
      List<Double> v = new ArrayList<>();
      for (int r = 0; r < Math.max(3, reps); r++) {
        v.add(g.kindGflops(k, gemmSeconds));
      }
      results.add(s.key + "/hw", "dgemm " + k.name().toLowerCase(Locale.ROOT).replace('_', ' ')
          + " shapes, 1 thread", "GFLOP/s", Stats.of(v), Double.NaN, Double.NaN, "",
          "operands in cache; " + shapes);
    }
    int passes = Math.max(3, reps);
    Stats one = Stats.of(g.rowsPerSecond(1, perThread, passes, false));
    Stats two = Stats.of(g.rowsPerSecond(2, perThread, passes, false));
    Stats twoF = Stats.of(g.rowsPerSecond(2, perThread, passes, true));
    Stats kernel1 = Stats.of(g.kernelRowsPerSecond(1, perThread, passes, Precision.FLOAT64));
    Stats kernel2 = Stats.of(g.kernelRowsPerSecond(2, perThread, passes, Precision.FLOAT64));
    Stats kernel2F = Stats.of(g.kernelRowsPerSecond(2, perThread, passes, Precision.FLOAT32));
    double fpr = g.flopsPerRow();
    results.add(s.key + "/hw", "products only (dgemm), 1 thread", "GFLOP/s",
        scale(one, fpr / 1e9), one.median(), Double.NaN, "",
        String.format(Locale.ROOT, "%,d rows streamed per pass", perThread));
    results.add(s.key + "/hw", "products only (dgemm), 2 threads", "GFLOP/s",
        scale(two, fpr / 1e9), two.median(), Double.NaN, "", "both cores busy");
    results.add(s.key + "/hw", "products only (sgemm, float32 ceiling), 2 threads", "GFLOP/s",
        scale(twoF, fpr / 1e9), twoF.median(), twoF.median() / two.median(), "dgemm rate", "");
    results.add(s.key + "/hw", "sparkprop kernel without Spark, 1 thread", "GFLOP/s",
        scale(kernel1, fpr / 1e9), kernel1.median(), kernel1.median() / one.median(),
        "of products-only rate", "Network.lossAndGradient on blocks in memory");
    results.add(s.key + "/hw", "sparkprop kernel without Spark, 2 threads", "GFLOP/s",
        scale(kernel2, fpr / 1e9), kernel2.median(), kernel2.median() / two.median(),
        "of products-only rate", "");
    results.add(s.key + "/hw", "sparkprop kernel float32 without Spark, 2 threads", "GFLOP/s",
        scale(kernel2F, fpr / 1e9), kernel2F.median(), kernel2F.median() / twoF.median(),
        "of sgemm products-only rate", "");
    if (s.sparkprop != null) {
      double achieved = rows * fpr / s.sparkprop.median() / 1e9;
      results.add(s.key + "/hw", "sparkprop achieved (whole epoch)", "GFLOP/s",
          Stats.one(achieved), rows / s.sparkprop.median(),
          rows / s.sparkprop.median() / two.median(), "of products-only rate",
          String.format(Locale.ROOT, "nominal 6 x %,d weights x rows: %.1f GFLOP/s; %.0f%% of "
              + "2 x 1-thread products", g.weights(),
              6.0 * g.weights() * rows / s.sparkprop.median() / 1e9,
              100 * achieved / (2 * one.median() * fpr / 1e9)));
      s.productsOnly = two.median();
      if (s.sparkpropCpu != null) {
        // Load-robust view: CPU seconds of sparkprop's tasks per pass against the CPU seconds
        // the products alone need for the same rows.
        double productsCpu = rows / (two.median() / 2);
        double f = productsCpu / s.sparkpropCpu.median();
        results.add(s.key + "/hw", "sparkprop task CPU vs products-only CPU", "fraction",
            Stats.one(f), Double.NaN, Double.NaN, "", String.format(Locale.ROOT,
                "products need %.3f CPU s per pass, sparkprop's tasks use %.3f", productsCpu,
                s.sparkpropCpu.median()));
        s.productsCpuFraction = f;
      }
    }
    if (s == lesson) {
      sigmoidRate();
    }
  }

  /**
   * The element-wise sigmoid alone (VectorMath, the path this JVM runs: SIMD lanes, or scalar
   * with {@code BENCH_JAVA_OPTS=-Ddev.sparkprop.vector-math=false}), in place over one lesson
   * layer's block of 32 x 1,024 values, in cache. It is branch-free, so the values do not
   * matter.
   */
  private void sigmoidRate() {
    double[] z = new double[32 * blockSize];
    Random random = new Random(seed);
    for (int i = 0; i < z.length; i++) {
      z[i] = 3 * random.nextGaussian();
    }
    List<Double> ns = new ArrayList<>();
    int calls = quick ? 10 : 2_000;
    for (int r = 0; r < 3 + Math.max(3, reps); r++) {
      long t = System.nanoTime();
      for (int k = 0; k < calls; k++) {
        VectorMath.sigmoid(z, z.length);
      }
      if (r >= 3) { // the first rounds warm the JIT up
        ns.add((System.nanoTime() - t) / ((double) calls * z.length));
      }
    }
    results.add("lesson/hw", "sigmoid, element-wise " + VectorMath.path(),
        "ns/value", Stats.of(ns), Double.NaN, Double.NaN, "", String.format(Locale.ROOT,
            "in place over 32 x %,d values, in cache", blockSize));
  }

  /** The median, or NaN for no samples (quick mode times one epoch per fit). */
  private static double median(List<Double> samples) {
    return samples.isEmpty() ? Double.NaN : Stats.of(samples).median();
  }

  private static Stats scale(Stats s, double f) {
    return new Stats(s.median() * f, s.min() * f, s.max() * f, s.n());
  }

  // ---- 4: fixed cost per step ----

  private void fixedCost() {
    Source tiny = new Source.Synthetic(1_000, LESSON_FEATURES, seed);
    SparkObjective obj = new SparkObjective(Source.blocks(sc, tiny, partitions, blockSize),
        lesson.spec, depth);
    int n = quick ? 5 : 40;
    double[] init = Init.AUTO.initialize(lesson.spec, seed);
    fit(obj, lesson.rate, 10, init); // warm-up
    List<Double> epoch = new ArrayList<>();
    List<Double> count = new ArrayList<>();
    List<Double> empty = new ArrayList<>();
    for (int r = 0; r < reps; r++) {
      epoch.addAll(epochSeconds(fit(obj, lesson.rate, n, init), 0).stream()
          .map(v -> v * 1e3).toList());
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        obj.blocks().count();
        count.add((System.nanoTime() - t) / 1e6);
      }
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        Broadcast<double[]> b = sc.broadcast(init);
        obj.blocks().mapPartitions(it -> List.of(b.value().length).iterator())
            .treeAggregate(0, Integer::sum, Integer::sum, depth);
        b.destroy();
        empty.add((System.nanoTime() - t) / 1e6);
      }
    }
    obj.close();
    Stats c = Stats.of(count);
    Stats e = Stats.of(epoch);
    results.add("fixed", "bare count() on the cached blocks", "ms", c, 1_000 / c.median() * 1e3,
        Double.NaN, "", "1,000 rows, " + partitions + " partitions");
    results.add("fixed", "empty broadcast + treeAggregate", "ms", Stats.of(empty), Double.NaN,
        Stats.of(empty).median() / c.median(), "count()", "Spark's floor for one step");
    results.add("fixed", "sparkprop gd epoch, lesson network", "ms", e, 1_000 / e.median() * 1e3,
        e.median() / c.median(), "count()", "target: within 2x of count()");
    fixedRatio = e.median() / c.median();
  }

  private double fixedRatio = Double.NaN;

  // ---- 5: memory ----

  private void memory(Shape s) {
    long rows = s.objective.numRows();
    double raw = 8.0 * (s.spec.inputSize() + 1);
    double perRow = cachedBytesPerRow(s.objective, s.key, raw, "cached sparkprop blocks");
    if (s == lesson) {
      lessonBytes = perRow / raw;
    } else {
      imageBytes = perRow / raw;
    }
    if (s.objective32 != null) {
      cachedBytesPerRow(s.objective32, s.key, raw, "cached sparkprop blocks, float32");
    }
    // For orientation: MLlib re-reads its input every iteration; how big is it when cached?
    Set<Integer> before = new HashSet<>();
    for (RDDInfo i : spark.sparkContext().getRDDStorageInfo()) {
      before.add(i.id());
    }
    Dataset<Row> df = Source.dataFrame(spark, s.train, partitions).cache();
    df.count();
    long dfBytes = 0;
    long deadline = System.currentTimeMillis() + 10_000;
    while (dfBytes == 0 && System.currentTimeMillis() < deadline) {
      for (RDDInfo i : spark.sparkContext().getRDDStorageInfo()) {
        if (!before.contains(i.id())) {
          dfBytes += i.memSize() + i.diskSize();
        }
      }
      sleepMs(50);
    }
    results.add("memory", s.key + ": MLPC input DataFrame, cached", "bytes/row",
        Stats.one((double) dfBytes / rows), Double.NaN, dfBytes / (double) rows / raw, "raw",
        "Spark SQL in-memory columnar cache of (label, features vector)");
    df.unpersist(true);
  }

  /** Bytes per row of the objective's cached blocks, as Spark's storage reports them (a row). */
  private double cachedBytesPerRow(SparkObjective objective, String key, double raw,
      String what) {
    long rows = objective.numRows();
    int id = objective.blocks().id();
    RDDInfo info = null;
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      info = Arrays.stream(spark.sparkContext().getRDDStorageInfo())
          .filter(i -> i.id() == id).findFirst().orElse(null);
      if (info != null && info.memSize() + info.diskSize() > 0) {
        break;
      }
      sleepMs(50);
    }
    if (info == null || info.memSize() + info.diskSize() == 0) {
      throw new IllegalStateException(what + " of " + key + " not in storage info");
    }
    double perRow = (double) (info.memSize() + info.diskSize()) / rows;
    Block first = objective.blocks().first();
    double estimated = (double) SizeEstimator.estimate(first) / first.rows;
    results.add("memory", key + ": " + what, "bytes/row", Stats.one(perRow),
        Double.NaN, perRow / raw, "raw", String.format(Locale.ROOT,
            "raw 8 x (%d features + 1 label) = %.0f; SizeEstimator of one block: %.1f/row; "
                + "%d partitions, disk %d B", first.features, raw, estimated,
            info.numCachedPartitions(), info.diskSize()));
    return perRow;
  }

  private double lessonBytes = Double.NaN;
  private double imageBytes = Double.NaN;

  // ---- block size and partitions ----

  private void sweep(Shape s) {
    if (s == null) {
      return;
    }
    double bestWall = Double.NaN;
    double bestCpu = Double.NaN;
    int bestWallSize = 0;
    int bestCpuSize = 0;
    for (int size : sweepSizes) {
      Stats[] st = sweepPoint(s, partitions, size);
      results.add("sweep/" + s.key, "sparkprop gd, block " + size, "s/epoch", st[0],
          s.train.rows() / st[0].median(), Double.NaN, "", String.format(Locale.ROOT,
              "task CPU %.3f s/pass (%.3f-%.3f)%s", st[1].median(), st[1].min(), st[1].max(),
              size == blockSize ? "; current default" : ""));
      if (Double.isNaN(bestWall) || st[0].median() < bestWall) {
        bestWall = st[0].median();
        bestWallSize = size;
      }
      if (Double.isNaN(bestCpu) || st[1].median() < bestCpu) {
        bestCpu = st[1].median();
        bestCpuSize = size;
      }
    }
    results.info("best block " + s.key, String.format(Locale.ROOT,
        "%d by wall time (%.3f s/epoch), %d by task CPU (%.3f CPU s/pass)", bestWallSize,
        bestWall, bestCpuSize, bestCpu));
  }

  private void partitionSweep(Shape s) {
    for (int p : sweepPartitions) {
      Stats[] st = sweepPoint(s, p, blockSize);
      results.add("sweep/" + s.key, "sparkprop gd, " + p + " partitions, block " + blockSize,
          "s/epoch", st[0], s.train.rows() / st[0].median(), Double.NaN, "",
          String.format(Locale.ROOT, "task CPU %.3f s/pass; %d cores (local[%d])",
              st[1].median(), partitions, partitions));
    }
  }

  /** Per-epoch wall seconds and task CPU seconds per pass at one block size and partitioning. */
  private Stats[] sweepPoint(Shape s, int parts, int size) {
    double[] init = Init.AUTO.initialize(s.spec, seed);
    int e = Math.max(2, epochs / 2);
    try (SparkObjective obj = new SparkObjective(Source.blocks(sc, s.train, parts, size),
        s.spec, depth)) {
      List<Double> wall = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      for (int r = 0; r < Math.max(2, reps / 2); r++) {
        int mark = jobs.mark();
        wall.addAll(epochSeconds(fit(obj, s.rate, 1 + e, init), 1));
        List<JobTimes.Job> passes = jobs.since(mark, "SparkObjective");
        for (int k = 1; k < passes.size(); k++) {
          cpu.add(passes.get(k).cpuNanos() / 1e9);
        }
      }
      return new Stats[] {Stats.of(wall), Stats.of(cpu)};
    }
  }

  // ---- targets and checks ----

  private void targets() {
    if (lesson.sparkprop != null) {
      double r = lesson.mlpcDefault / lesson.sparkprop.median();
      results.target("lesson: sparkprop vs MLPC gd default (block 128)", ">= 2x", r, r >= 2);
      double b = lesson.mlpcBest / lesson.sparkprop.median();
      results.target("lesson: vs MLPC gd best block (" + lesson.mlpcBestName + ")", ">= 1.5x", b,
          b >= 1.5);
    }
    if (lesson.sparkpropCpu != null && !Double.isNaN(lesson.mlpcDefaultCpu)) {
      double r = lesson.mlpcDefaultCpu / lesson.sparkpropCpu.median();
      results.target("  same by task CPU per pass (load-robust), MLPC default", ">= 2x", r,
          r >= 2);
      double b = lesson.mlpcBestCpu / lesson.sparkpropCpu.median();
      results.target("  same by task CPU per pass (load-robust), MLPC best", ">= 1.5x", b,
          b >= 1.5);
    }
    if (image != null && image.sparkprop != null) {
      double r = image.mlpcBest / image.sparkprop.median();
      results.target("image: sparkprop vs MLPC gd (best block, " + image.mlpcBestName + ")",
          ">= 1.3x", r, r >= 1.3);
      if (image.sparkpropCpu != null && !Double.isNaN(image.mlpcBestCpu)) {
        double c = image.mlpcBestCpu / image.sparkpropCpu.median();
        results.target("  same by task CPU per pass (load-robust)", ">= 1.3x", c, c >= 1.3);
      }
      if (image.sparkprop32 != null) {
        double r32 = image.mlpcBest / image.sparkprop32.median();
        results.target("image: sparkprop float32 vs MLPC gd (best block)", ">= 2x", r32,
            r32 >= 2);
        if (!Double.isNaN(image.mlpcBestCpu)) {
          double c32 = image.mlpcBestCpu / image.sparkpropCpu32.median();
          results.target("  same by task CPU per pass (load-robust)", ">= 2x", c32, c32 >= 2);
        }
      }
      if (image.productsOnly > 0) {
        double f = image.train.rows() / image.sparkprop.median() / image.productsOnly;
        results.target("image: sparkprop vs products-only rate (2 threads)", ">= 0.90", f,
            f >= 0.9);
      }
      if (!Double.isNaN(image.productsCpuFraction)) {
        double f = image.productsCpuFraction;
        results.target("  same by CPU time (load-robust)", ">= 0.90", f, f >= 0.9);
      }
    }
    if (!Double.isNaN(fixedRatio)) {
      results.target("fixed cost: sparkprop epoch / count() on 1,000 rows", "<= 2x", fixedRatio,
          fixedRatio <= 2);
    }
    if (!Double.isNaN(lessonBytes)) {
      results.target("memory: lesson cached bytes/row vs raw", "<= 1.1x", lessonBytes,
          lessonBytes <= 1.1);
    }
    if (!Double.isNaN(imageBytes)) {
      results.target("memory: image cached bytes/row vs raw", "<= 1.1x", imageBytes,
          imageBytes <= 1.1);
    }
  }

  private final List<String> failures = new ArrayList<>();

  /** MLlib's gd steps as many times as it makes passes (maxIter + this), measured. */
  private int mlpcExtraIterations = 0;

  /**
   * Same data, initial weights and update rule: the two engines' training-loss curves must agree
   * epoch by epoch (MLlib weights each partition's last, partial block like a full one, hence a
   * small tolerance). A mismatch means the harness compares different computations.
   */
  private void lossCurves(String what, double[] sparkprop, double[] mlpc) {
    int n = Math.min(sparkprop.length, mlpc.length);
    double worst = 0;
    for (int i = 0; i < n; i++) {
      double rel = Math.abs(sparkprop[i] - mlpc[i])
          / Math.max(1e-12, Math.max(Math.abs(sparkprop[i]), Math.abs(mlpc[i])));
      worst = Double.isNaN(rel) ? Double.POSITIVE_INFINITY : Math.max(worst, rel);
    }
    double limit = 1e-2;
    results.info("check " + what, String.format(Locale.ROOT, "training loss over %d epochs: "
        + "sparkprop %.6f -> %.6f, MLPC %.6f -> %.6f, worst relative difference %.1e (limit %.0e)",
        n, sparkprop[0], sparkprop[n - 1], mlpc[0], mlpc[n - 1], worst, limit));
    if (n == 0 || !(worst <= limit)) {
      failures.add(what + ": loss curves differ (worst relative difference " + worst + ")");
    }
  }

  /** Fails loudly when the harness measured nonsense (never on a slow time). */
  private void check() {
    for (Results.Row r : results.rows()) {
      Stats v = r.value();
      if (!(Double.isFinite(v.median()) && v.median() > 0 && v.n() > 0)) {
        failures.add("row '" + r.section() + " / " + r.name() + "' has no valid measurement: "
            + v);
      }
    }
    if (!failures.isEmpty()) {
      System.err.println("bench: HARNESS FAILURE");
      failures.forEach(f -> System.err.println("  " + f));
      System.exit(2);
    }
  }

  // ---- helpers ----

  /** Untimed rounds (every engine fits once per round) before the timed ones. */
  private static final int WARMUP_ROUNDS = 2;

  /** The JIT's accumulated compile time (all compiler threads) from a starting point. */
  private record Jit(long compileMs, long nanos) {
    private static final CompilationMXBean BEAN = ManagementFactory.getCompilationMXBean();

    static Jit start() {
      return new Jit(BEAN.getTotalCompilationTime(), System.nanoTime());
    }

    /** Compile milliseconds since the start, as a share of the wall time since then. */
    double share() {
      return (BEAN.getTotalCompilationTime() - compileMs) / ((System.nanoTime() - nanos) / 1e6);
    }
  }

  private Trainer.Result lastFit;

  private List<EpochStats> fit(SparkObjective obj, double rate, int n, double[] init) {
    lastFit = new Trainer(new GradientDescent(rate), n).fit(obj, null, init, null);
    if (System.getenv("BENCH_EPOCHS_LOG") != null) {
      log("fit epochs: %s", lastFit.history().stream()
          .map(e -> String.format(Locale.ROOT, "%.3f", e.seconds())).toList());
    }
    return lastFit.history();
  }

  private static List<Double> epochSeconds(List<EpochStats> h, int skip) {
    return h.subList(Math.min(skip, h.size() - 1), h.size()).stream()
        .map(EpochStats::seconds).toList();
  }

  /** The 1, 5 and 15 minute load averages: other work on the machine makes timings noisy. */
  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2] + " (1/5/15 min; "
          + Runtime.getRuntime().availableProcessors() + " cores)";
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static void log(String format, Object... args) {
    System.err.println("bench: " + String.format(Locale.ROOT, format, args));
  }

  private static void sleepMs(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
