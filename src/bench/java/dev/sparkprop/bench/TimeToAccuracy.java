package dev.sparkprop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkprop.bench.Results.Stats;
import dev.sparkprop.io.InputMapping;
import dev.sparkprop.io.InputReader;
import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Doubles;
import dev.sparkprop.nn.Init;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.nn.Precision;
import dev.sparkprop.optim.Adam;
import dev.sparkprop.optim.Lbfgs;
import dev.sparkprop.optim.OptimizerSpec;
import dev.sparkprop.optim.Schedule;
import dev.sparkprop.optim.StepSpec;
import dev.sparkprop.spark.BlockStacker;
import dev.sparkprop.spark.BreezeLbfgs;
import dev.sparkprop.spark.DataScan;
import dev.sparkprop.spark.SparkObjective;
import dev.sparkprop.spark.Split;
import dev.sparkprop.train.Batch;
import dev.sparkprop.train.EarlyStopping;
import dev.sparkprop.train.EpochStats;
import dev.sparkprop.train.LocalSgd;
import dev.sparkprop.train.Metrics;
import dev.sparkprop.train.Objective;
import dev.sparkprop.train.TrainConfig;
import dev.sparkprop.train.Trainer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Section {@code tta} (issue 12): time to accuracy on Fashion-MNIST, every system in one run on
 * this machine. The data is written once as Parquet with one int column per pixel and an int
 * label (what {@code sparkprop convert} makes of the CSV); sparkprop reads it through its own
 * preparation (read, map columns, scan and check, statistics, stack, cache: the library fit
 * path's steps), MLlib's MLPC through a VectorAssembler. scikit-learn and PyTorch read the IDX
 * files (src/bench/python/tta.py). For each system: median seconds per epoch (training only),
 * preparation, and wall time to 0.85 and 0.88 test accuracy, defined for all alike as
 * preparation plus every epoch's training and test evaluation up to the first epoch at or above
 * the accuracy (the wall clock of a run that checks after every epoch). Also: the bare Spark
 * scan of the Parquet into ml Vectors (the floor for preparation), and the per-step fixed cost
 * against an empty broadcast + job of the same parameter size.
 */
final class TimeToAccuracy {
  private static final int PIXELS = 784;
  private static final int BATCH = 256;

  private final SparkSession spark;
  private final JavaSparkContext sc;
  private final JobTimes jobs;
  private final Results results;
  private final boolean quick;
  private final boolean skipMlpc;
  private final String fashionDir;
  private final Path out;
  private final int partitions;
  private final int epochs;
  private final int localSteps;
  private final int limit;
  private final int testLimit;
  private final long seed = 42;

  /** One system's run: preparation seconds and, per epoch, training s, eval s, accuracy. */
  record Curve(String system, double prep, List<double[]> epochs, String note) {
    double wallTo(double accuracy) {
      double t = prep;
      for (double[] e : epochs) {
        t += e[0] + e[1];
        if (e[2] >= accuracy) {
          return t;
        }
      }
      return Double.NaN;
    }

    /** Preparation plus every epoch with its evaluation: the whole run's wall time. */
    double wall() {
      double t = prep;
      for (double[] e : epochs) {
        t += e[0] + e[1];
      }
      return t;
    }

    Stats perEpoch() {
      List<Double> s = new ArrayList<>();
      for (int i = epochs.size() > 2 ? 1 : 0; i < epochs.size(); i++) {
        s.add(epochs.get(i)[0]); // the first epoch (JIT, deals) is dropped when there are more
      }
      return Stats.of(s);
    }

    double accuracyAfter(int epoch) {
      return epochs.size() >= epoch ? epochs.get(epoch - 1)[2] : Double.NaN;
    }
  }

  private final List<Curve> curves = new ArrayList<>();

  TimeToAccuracy(SparkSession spark, JobTimes jobs, Results results, boolean quick,
      boolean skipMlpc, String fashionDir, Path out, int partitions, int epochs,
      int localSteps) {
    this.spark = spark;
    this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.jobs = jobs;
    this.results = results;
    this.quick = quick;
    this.skipMlpc = skipMlpc;
    this.fashionDir = fashionDir;
    this.out = out;
    this.partitions = partitions;
    this.epochs = epochs;
    this.localSteps = localSteps;
    this.limit = quick ? 2_000 : 0;
    this.testLimit = quick ? 500 : 0;
  }

  static NetworkSpec reluNet() {
    return NetworkSpec.of(new int[] {PIXELS, 256, 128, 10}, Activation.RELU, Activation.SOFTMAX,
        Loss.CROSS_ENTROPY);
  }

  static NetworkSpec sigmoidNet() {
    return NetworkSpec.of(new int[] {PIXELS, 256, 128, 10}, Activation.SIGMOID,
        Activation.SOFTMAX, Loss.CROSS_ENTROPY);
  }

  void run() throws Exception {
    Path train = out.resolve("fashion-parquet/train");
    Path test = out.resolve("fashion-parquet/test");
    writeParquet(new Source.FashionMnist(fashionDir, true, limit), train);
    writeParquet(new Source.FashionMnist(fashionDir, false, testLimit), test);

    double floor = bareScan(train);
    Adam adam = new Adam(new StepSpec(0.001, Schedule.constant(), BATCH, 0.0, 0.0), 0.9, 0.999,
        1e-8);
    Adam local = new Adam(adam.steps().withLocalSteps(localSteps), 0.9, 0.999, 1e-8);
    if (!quick) { // untimed warm-up of the JIT on the same path (one epoch each)
      sparkprop("warm-up", train, test, adam, Precision.FLOAT64, reluNet(), 1, false);
      sparkprop("warm-up", train, test, local, Precision.FLOAT64, reluNet(), 1, false);
    }
    Curve f64 = sparkprop("sparkprop adam sync float64", train, test, adam, Precision.FLOAT64,
        reluNet(), epochs, true);
    if (!quick) { // what a cluster's transport costs: the step exchange over sockets
      spark.sparkContext().setLocalProperty(SparkObjective.EXCHANGE_KEY, "sockets");
      try {
        sparkprop("sparkprop adam sync float64, step exchange over sockets", train, test, adam,
            Precision.FLOAT64, reluNet(), epochs, true);
      } finally {
        spark.sparkContext().setLocalProperty(SparkObjective.EXCHANGE_KEY, null);
      }
    }
    Curve f32 = quick ? null : sparkprop("sparkprop adam sync float32", train, test, adam,
        Precision.FLOAT32, reluNet(), epochs, true);
    Curve l64 = quick ? null : sparkprop("sparkprop adam local K=" + localSteps + " float64",
        train, test, local, Precision.FLOAT64, reluNet(), epochs, true);
    Curve l32 = sparkprop("sparkprop adam local K=" + localSteps + " float32", train, test,
        local, Precision.FLOAT32, reluNet(), epochs, true);
    Curve sk = python("scikit-learn MLPClassifier adam", "/usr/bin/python3", "sklearn",
        "float64");
    Curve t32 = python("PyTorch adam float32", torchPython(), "torch", "float32");
    Curve t64 = python("PyTorch adam float64", torchPython(), "torch", "float64");
    Curve lbfgs = sparkprop("sparkprop lbfgs (sigmoid net, as MLPC)", train, test,
        new Lbfgs(10, 1e-9, 0.0), Precision.FLOAT64, sigmoidNet(), quick ? 2 : 2 * epochs, true);
    Curve mlpcLbfgs = null;
    if (!skipMlpc) {
      mlpcLbfgs = mlpc("MLPC l-bfgs (sigmoid, block 128)", train, test, "l-bfgs", 0.03,
          quick ? 1 : epochs, quick ? 2 : 10);
      if (!quick) {
        mlpc("MLPC gd (sigmoid, block 128, step 0.5)", train, test, "gd", 0.5, 5, 10);
      }
    }
    table(floor);
    plot(out.resolve("tta.png"));
    targets(floor, f64, f32, l64, l32, sk, lbfgs, mlpcLbfgs);
  }

  // ---- data ----

  /** Fashion-MNIST as sparkprop convert writes its CSV: int columns label, p0 .. p783. */
  private void writeParquet(Source.FashionMnist source, Path path) {
    JavaRDD<Row> rows = Source.chunks(sc, source, partitions).flatMap(c -> {
      List<Row> r = new ArrayList<>(c.rows());
      for (int i = 0; i < c.rows(); i++) {
        Object[] v = new Object[PIXELS + 1];
        v[0] = (int) c.y()[i];
        for (int j = 0; j < PIXELS; j++) {
          v[j + 1] = (int) Math.round(c.x()[i * PIXELS + j] * 255);
        }
        r.add(RowFactory.create(v));
      }
      return r.iterator();
    });
    StructType schema = new StructType().add("label", DataTypes.IntegerType, false);
    for (int j = 0; j < PIXELS; j++) {
      schema = schema.add("p" + j, DataTypes.IntegerType, false);
    }
    spark.createDataFrame(rows, schema).write().mode("overwrite").parquet(path.toString());
  }

  /** Seconds of the bare scan: the Parquet into one ml Vector (and label) per row, counted. */
  private double bareScan(Path train) {
    List<Double> s = new ArrayList<>();
    for (int r = 0; r < (quick ? 2 : 4); r++) {
      long t = System.nanoTime();
      Dataset<Row> df = spark.read().parquet(train.toString());
      long n = df.queryExecution().toRdd().toJavaRDD().map((InternalRow row) -> {
        double[] v = new double[PIXELS];
        for (int j = 0; j < PIXELS; j++) {
          v[j] = row.getInt(j + 1);
        }
        return new Object[] {(double) row.getInt(0), new DenseVector(v)};
      }).count();
      if (r > 0) {
        s.add((System.nanoTime() - t) / 1e9);
      }
      log("bare scan: %d rows in %.2f s", n, (System.nanoTime() - t) / 1e9);
    }
    Stats st = Stats.of(s);
    results.add("tta", "bare Spark scan of the Parquet into ml Vectors", "s", st, Double.NaN,
        Double.NaN, "", "read + decode 785 int columns + a DenseVector per row, counted; the "
            + "floor for preparation");
    return st.median();
  }

  // ---- sparkprop ----

  /** The validation data, with the time spent evaluating it (to separate it from training). */
  private static final class Timed implements Objective {
    final SparkObjective inner;
    final List<Double> seconds = new ArrayList<>();

    Timed(SparkObjective inner) {
      this.inner = inner;
    }

    @Override
    public long numRows() {
      return inner.numRows();
    }

    @Override
    public double lossAndGradient(double[] params, double[] gradient) {
      return inner.lossAndGradient(params, gradient);
    }

    @Override
    public BatchLoss lossAndGradient(double[] params, Batch batch, double[] gradient) {
      return inner.lossAndGradient(params, batch, gradient);
    }

    @Override
    public double loss(double[] params) {
      return inner.loss(params);
    }

    @Override
    public Metrics evaluate(double[] params, Metrics.Spec spec) {
      long t = System.nanoTime();
      Metrics m = inner.evaluate(params, spec);
      seconds.add((System.nanoTime() - t) / 1e9);
      return m;
    }
  }

  /**
   * One sparkprop run: its preparation (the library fit path's steps on the Parquet, timed),
   * then {@code n} epochs with the test set as validation data.
   */
  private Curve sparkprop(String name, Path trainPath, Path testPath, OptimizerSpec optimizer,
      Precision precision, NetworkSpec spec, int n, boolean keep) {
    long t0 = System.nanoTime();
    Dataset<Row> raw = InputReader.read(spark, trainPath.toString(), "parquet");
    InputMapping mapping = InputMapping.forTraining(raw, List.of("*"), "label",
        "classification");
    BlockStacker.SplitSpec split = new BlockStacker.SplitSpec(seed, 0, 0);
    try (DataScan scan = DataScan.scan(mapping.canonical(raw, true), mapping, true, -1, 10)) {
      BlockStacker.Stats stats = BlockStacker.stats(scan, split, Split.TRAIN, true, false);
      SparkObjective train = new SparkObjective(BlockStacker.stack(scan, split, Split.TRAIN,
          stats, 1024, 0, precision), spec, 2);
      double prep = (System.nanoTime() - t0) / 1e9;
      Dataset<Row> rawTest = InputReader.read(spark, testPath.toString(), "parquet");
      SparkObjective test;
      try (DataScan tscan = DataScan.scan(mapping.canonical(rawTest, true), mapping, true,
          PIXELS, 10)) {
        test = new SparkObjective(BlockStacker.stack(tscan, new BlockStacker.SplitSpec(0, 0, 0),
            Split.TRAIN, stats, 1024, 0, precision), spec, 2);
      }
      double prepWithTest = (System.nanoTime() - t0) / 1e9;
      Timed validation = new Timed(test);
      int mark = jobs.mark();
      Trainer trainer = new Trainer(new TrainConfig(spec, optimizer, n, seed, EarlyStopping.OFF,
          n), new BreezeLbfgs());
      Trainer.Result r = trainer.fit(train, new Trainer.Validation(validation,
          Metrics.Spec.classification(10)), Init.AUTO.initialize(spec, seed), null);
      int jobsRun = jobs.since(mark, "").size();
      train.close();
      test.close();
      if (!keep) {
        return null;
      }
      List<double[]> e = new ArrayList<>();
      for (int i = 0; i < r.history().size(); i++) {
        EpochStats s = r.history().get(i);
        double eval = validation.seconds.get(i);
        e.add(new double[] {s.seconds() - eval, eval, s.validation().get("accuracy"),
            s.steps(), s.rows()});
      }
      EpochStats last = r.history().get(r.history().size() - 1);
      String note = String.format(Locale.ROOT, "%d steps/epoch, %.1f Spark jobs/epoch; "
          + "preparation %.1f s for train, %.1f s with the test set", last.steps(),
          jobsRun / (double) r.history().size(), prep, prepWithTest);
      if (optimizer instanceof Lbfgs) {
        note = String.format(Locale.ROOT, "%.2f passes/iteration; ", last.rows()
            / (double) train.numRows()) + note;
      }
      Curve c = new Curve(name, prep, e, note);
      curves.add(c);
      log("%s: %s", name, summary(c));
      if (optimizer instanceof Adam a) {
        stepCost(name, c, train.numRows(), spec, a.steps().localSteps());
      }
      return c;
    }
  }

  /**
   * sparkprop's seconds per step (or per local round) against Spark's floor for one: an empty
   * broadcast of the parameters and a job over the cached blocks whose tasks each send back
   * P doubles (what a step moves), summed on the driver.
   */
  private void stepCost(String name, Curve c, long rows, NetworkSpec spec, int k) {
    if (!floorMeasured) {
      measureFloor(spec);
    }
    int steps = Batch.count(rows, BATCH);
    double perEpoch = c.perEpoch().median();
    double perJob = perEpoch / Math.ceil(steps / (double) k);
    results.add("tta", name + ": per " + (k == 1 ? "step" : "round of " + k + " steps"), "ms",
        Stats.one(perJob * 1e3), Double.NaN, perJob / stepFloor, "empty broadcast + job",
        String.format(Locale.ROOT, "epoch %.2f s / %d %s", perEpoch,
            (int) Math.ceil(steps / (double) k), k == 1 ? "steps" : "rounds"));
  }

  private boolean floorMeasured;
  private double stepFloor = Double.NaN;

  private void measureFloor(NetworkSpec spec) {
    floorMeasured = true;
    int p = spec.numParams();
    double[] params = Init.AUTO.initialize(spec, seed);
    JavaRDD<Integer> data = sc.parallelize(List.of(0, 1, 2, 3), partitions).cache();
    data.count();
    List<Double> ms = new ArrayList<>();
    for (int r = 0; r < (quick ? 5 : 60); r++) {
      long t = System.nanoTime();
      Broadcast<Doubles> b = sc.broadcast(new Doubles(params));
      List<Doubles> parts = data.mapPartitions(it -> {
        double[] g = new double[b.value().get(0).length];
        return List.of(new Doubles(g)).iterator();
      }).collect();
      double[] sum = new double[p];
      for (Doubles d : parts) {
        double[] g = d.get(0);
        for (int i = 0; i < p; i++) {
          sum[i] += g[i];
        }
      }
      b.destroy();
      if (r >= 5 || quick) {
        ms.add((System.nanoTime() - t) / 1e6);
      }
    }
    data.unpersist(false);
    Stats st = Stats.of(ms);
    stepFloor = st.median() / 1e3;
    results.add("tta", "Spark's floor per step: empty broadcast + job, P = " + p, "ms", st,
        Double.NaN, Double.NaN, "", partitions + " tasks each return P doubles (raw bytes), "
            + "summed on the driver");
  }

  // ---- MLlib ----

  /**
   * MLPC on the same Parquet (pixels / 255 through a VectorAssembler, cached): {@code segments}
   * fits of {@code iterations} each, each from the last one's weights, test accuracy after each.
   * For l-bfgs each segment restarts Breeze's history (MLPC has no other way to stop and look).
   */
  private Curve mlpc(String name, Path trainPath, Path testPath, String solver, double step,
      int segments, int iterations) {
    long t0 = System.nanoTime();
    Dataset<Row> train = vectors(trainPath).cache();
    train.count();
    double prep = (System.nanoTime() - t0) / 1e9;
    Dataset<Row> test = vectors(testPath).cache();
    test.count();
    NetworkSpec spec = sigmoidNet();
    org.apache.spark.ml.linalg.Vector weights = Vectors.dense(Mlpc.toMlpcWeights(spec,
        Init.AUTO.initialize(spec, seed)));
    List<double[]> e = new ArrayList<>();
    int passes = 0;
    int its = 0;
    for (int s = 0; s < segments; s++) {
      MultilayerPerceptronClassifier c = new MultilayerPerceptronClassifier()
          .setLayers(spec.sizes()).setSolver(solver).setBlockSize(128).setStepSize(step)
          .setMaxIter(iterations).setTol(0.0).setSeed(1L).setInitialWeights(weights);
      int mark = jobs.mark();
      long t = System.nanoTime();
      MultilayerPerceptronClassificationModel m = c.fit(train);
      double seconds = (System.nanoTime() - t) / 1e9;
      passes += jobs.since(mark, "treeAggregate").size();
      its += m.summary().objectiveHistory().length - 1;
      weights = m.weights();
      t = System.nanoTime();
      double acc = Mlpc.accuracy(m, test);
      double eval = (System.nanoTime() - t) / 1e9;
      for (int i = 0; i < iterations; i++) { // per iteration, for the per-epoch column
        e.add(new double[] {seconds / iterations, i == iterations - 1 ? eval : 0,
            i == iterations - 1 ? acc : Double.NaN});
      }
      log("%s: segment %d: %.1f s, accuracy %.4f", name, s + 1, seconds, acc);
    }
    train.unpersist(true);
    test.unpersist(true);
    Curve curve = new Curve(name, prep, e, String.format(Locale.ROOT, "per iteration; %.2f "
        + "passes/iteration; %d fits of %d iterations, each from the last one's weights; "
        + "preparation: read + VectorAssembler + cache", passes / (double) Math.max(1, its),
        segments, iterations));
    curves.add(curve);
    log("%s: %s", name, summary(curve));
    return curve;
  }

  private Dataset<Row> vectors(Path path) {
    Dataset<Row> df = spark.read().parquet(path.toString());
    List<Column> cols = new ArrayList<>();
    cols.add(functions.col("label").cast("double").as("label"));
    String[] names = new String[PIXELS];
    for (int j = 0; j < PIXELS; j++) {
      names[j] = "q" + j;
      cols.add(functions.col("p" + j).divide(255.0).as(names[j]));
    }
    return new VectorAssembler().setInputCols(names).setOutputCol("features")
        .transform(df.select(cols.toArray(Column[]::new))).select("label", "features");
  }

  // ---- scikit-learn, PyTorch ----

  private static String torchPython() {
    for (String py : List.of("python3", "/usr/bin/python3")) {
      try {
        Process p = new ProcessBuilder(py, "-c", "import torch").redirectErrorStream(true)
            .start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() == 0) {
          return py;
        }
      } catch (IOException | InterruptedException e) {
        // try the next one
      }
    }
    return null;
  }

  private Curve python(String name, String python, String system, String dtype) {
    if (quick) {
      log("%s: skipped in quick mode", name);
      results.info("tta " + name, "skipped in quick mode");
      return null;
    }
    if (python == null) {
      log("%s: no python with %s", name, system);
      results.info("tta " + name, "not run: no python3 that imports " + system);
      return null;
    }
    List<String> cmd = List.of(python, "src/bench/python/tta.py", "--system", system,
        "--dtype", dtype, "--fashion-dir", fashionDir, "--epochs", String.valueOf(epochs),
        "--threads", String.valueOf(partitions), "--seed", String.valueOf(seed));
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
      // The benchmark runs BLAS single-threaded inside Spark's tasks (one task per core); the
      // single-process systems get the same cores as threads.
      pb.environment().put("OPENBLAS_NUM_THREADS", String.valueOf(partitions));
      pb.environment().put("OMP_NUM_THREADS", String.valueOf(partitions));
      Process p = pb.start();
      ObjectMapper json = new ObjectMapper();
      double prep = Double.NaN;
      List<double[]> e = new ArrayList<>();
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          JsonNode n = json.readTree(line);
          if (n.get("kind").asText().equals("prep")) {
            prep = n.get("seconds").asDouble();
          } else {
            e.add(new double[] {n.get("seconds").asDouble(), n.get("eval_seconds").asDouble(),
                n.get("accuracy").asDouble()});
          }
        }
      }
      if (p.waitFor() != 0 || e.isEmpty()) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed (exit "
            + p.exitValue() + ")");
      }
      Curve c = new Curve(name, prep, e, python + " " + system + (system.equals("torch")
          ? " " + dtype : "") + ", " + partitions + " threads; preparation: read IDX + scale");
      curves.add(c);
      log("%s: %s", name, summary(c));
      return c;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- output ----

  private static String summary(Curve c) {
    return String.format(Locale.ROOT, "prep %.1f s, %.2f s/epoch, to 0.85 %s, to 0.88 %s, "
        + "accuracy after 5 epochs %s, last %.4f", c.prep(), c.perEpoch().median(),
        fmt(c.wallTo(0.85)), fmt(c.wallTo(0.88)), fmt(c.accuracyAfter(5)),
        c.epochs().get(c.epochs().size() - 1)[2]);
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
  }

  private void table(double floor) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-44s %10s %8s %9s %9s %9s %9s  %s%n", "system",
        "s/epoch", "prep s", "to 0.85", "to 0.88", "acc@5", "acc last", "note"));
    StringBuilder csv = new StringBuilder("system,seconds_per_epoch,preparation_seconds,"
        + "wall_to_085,wall_to_088,accuracy_after_5,accuracy_last,epochs\n");
    for (Curve c : curves) {
      double last = c.epochs().get(c.epochs().size() - 1)[2];
      sb.append(String.format(Locale.ROOT, "%-44s %10.3f %8.2f %9s %9s %9s %9.4f  %s%n",
          c.system(), c.perEpoch().median(), c.prep(), fmt(c.wallTo(0.85)),
          fmt(c.wallTo(0.88)), fmt(c.accuracyAfter(5)), last, c.note()));
      csv.append(String.format(Locale.ROOT, "\"%s\",%.4f,%.3f,%s,%s,%s,%.4f,%d%n", c.system(),
          c.perEpoch().median(), c.prep(), fmt(c.wallTo(0.85)), fmt(c.wallTo(0.88)),
          fmt(c.accuracyAfter(5)), last, c.epochs().size()));
      results.add("tta", c.system() + ": seconds per epoch", "s", c.perEpoch(), Double.NaN,
          Double.NaN, "", c.note());
      results.add("tta", c.system() + ": preparation", "s", Stats.one(c.prep()), Double.NaN,
          c.prep() / floor, "bare scan", "");
      for (double a : new double[] {0.85, 0.88}) {
        double t = c.wallTo(a);
        if (!Double.isNaN(t)) {
          results.add("tta", c.system() + ": wall time to " + a, "s", Stats.one(t),
              Double.NaN, Double.NaN, "", "preparation + epochs with their test evaluation");
        }
      }
    }
    sb.append(String.format(Locale.ROOT, "bare Spark scan of the same Parquet into ml Vectors: "
        + "%.2f s%n", floor));
    System.out.println("\nTime to accuracy (Fashion-MNIST, 784-256-128-10, test set of "
        + (testLimit > 0 ? testLimit : 10_000) + "):\n" + sb);
    Files.createDirectories(out);
    Files.writeString(out.resolve("tta.csv"), csv.toString());
    Files.writeString(out.resolve("tta.txt"), sb.toString());
  }

  private void plot(Path file) throws IOException {
    XYChart chart = new XYChartBuilder().width(1000).height(600)
        .title("Fashion-MNIST: test accuracy against wall time (preparation included)")
        .xAxisTitle("wall time, s").yAxisTitle("test accuracy").build();
    chart.getStyler().setYAxisMin(0.5).setYAxisMax(0.92).setMarkerSize(4);
    for (Curve c : curves) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      double t = c.prep();
      for (double[] e : c.epochs()) {
        t += e[0] + e[1];
        if (e[2] > 0) {
          x.add(t);
          y.add(Math.max(0.5, e[2]));
        }
      }
      if (!x.isEmpty()) {
        chart.addSeries(c.system(), x, y).setMarker(SeriesMarkers.CIRCLE);
      }
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    log("wrote %s", file);
  }

  private void targets(double floor, Curve f64, Curve f32, Curve l64, Curve l32, Curve sk,
      Curve lbfgs, Curve mlpcLbfgs) {
    for (Curve c : new Curve[] {f64, f32, l64, l32}) {
      if (c == null) {
        continue;
      }
      double r = c.prep() / floor;
      results.target("tta: " + c.system() + " preparation / bare scan", "<= 3x", r, r <= 3);
    }
    if (sk != null && f32 != null && l64 != null) {
      double s = sk.perEpoch().median();
      double r64 = f64.perEpoch().median() / s;
      results.target("tta: sync adam float64 epoch / scikit-learn's", "<= 2x", r64, r64 <= 2);
      double r32 = f32.perEpoch().median() / s;
      results.target("tta: sync adam float32 epoch / scikit-learn's", "<= 1.3x", r32,
          r32 <= 1.3);
      for (Curve l : new Curve[] {l64, l32}) {
        double rl = l.perEpoch().median() / s;
        results.target("tta: " + l.system() + " epoch / scikit-learn's", "<= 0.8x", rl,
            rl <= 0.8);
        if (Double.isNaN(sk.wallTo(0.88))) {
          // scikit-learn did not reach 0.88: its whole run is a lower bound of its time to it
          double tl = l.wallTo(0.88) / sk.wall();
          results.target("tta: " + l.system() + " time to 0.88 / scikit-learn's whole run "
              + "(it did not reach 0.88)", "<= 1x", tl, tl <= 1);
        } else {
          double tl = l.wallTo(0.88) / sk.wallTo(0.88);
          results.target("tta: " + l.system() + " time to 0.88 / scikit-learn's", "<= 1x", tl,
              tl <= 1);
        }
        double a5 = l.accuracyAfter(5);
        results.target("tta: " + l.system() + " accuracy after 5 epochs", ">= 0.87", a5,
            a5 >= 0.87);
      }
    }
    if (mlpcLbfgs != null && lbfgs != null) {
      double r = lbfgs.perEpoch().median() / mlpcLbfgs.perEpoch().median();
      results.target("tta: sparkprop l-bfgs iteration / MLPC l-bfgs iteration", "<= 0.75x", r,
          r <= 0.75);
    }
  }

  private static void log(String format, Object... args) {
    System.err.println("bench: tta: " + String.format(Locale.ROOT, format, args));
  }
}
