package dev.sparkprop.cli;

import dev.ludovic.netlib.blas.BLAS;
import dev.sparkprop.nn.VectorMath;
import java.io.PrintStream;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/** The SparkSession of a command: local[*] unless a master is given or spark-submit set one. */
final class SparkSessions {
  private SparkSessions() {}

  /** Results up to this size travel with the task's status message. */
  static final String DIRECT_RESULT = "spark.task.maxDirectResultSize";

  static SparkSession start(Args args, String command, PrintStream out) {
    SparkSession.Builder b = SparkSession.builder().appName("sparkprop " + command);
    String master = args.get("master");
    boolean submitted = System.getProperty("spark.master") != null;
    if (master != null) {
      b.master(master);
    } else if (!submitted) {
      b.master("local[*]");
    }
    String effectiveMaster = master != null ? master
        : submitted ? System.getProperty("spark.master") : "local[*]";
    // Executors must run BLAS single-threaded: Spark already runs one task per core.
    b.config("spark.executorEnv.OPENBLAS_NUM_THREADS", "1");
    // A task's result is its partition's gradient sum, 8 bytes per parameter: past Spark's
    // default 1 MiB (131,072 parameters) it would be stored in the block manager and fetched
    // in a second round trip (≈ 20 ms per epoch on the Fashion-MNIST network). Spark caps this
    // at spark.rpc.message.maxSize (128 MiB); a value the user set is kept.
    if (System.getProperty(DIRECT_RESULT) == null) {
      b.config(DIRECT_RESULT, "64m");
    }
    if (effectiveMaster.startsWith("local") && System.getProperty("spark.ui.enabled") == null) {
      b.config("spark.ui.enabled", "false");
    }
    SparkSession spark = b.getOrCreate();
    if (!args.has("verbose")) {
      spark.sparkContext().setLogLevel("WARN");
    }
    quietTaskFailures(!args.has("verbose"));
    String blas = BLAS.getInstance().getClass().getSimpleName();
    String threads = System.getenv("OPENBLAS_NUM_THREADS");
    out.println(Main.fmt("sparkprop: Spark %s, master %s, BLAS %s%s, element-wise %s",
        spark.version(), spark.sparkContext().master(), blas,
        blas.equals("JNIBLAS") ? " (native), OPENBLAS_NUM_THREADS=" + (threads == null
            ? "unset: OpenBLAS may oversubscribe the cores; set it to 1" : threads)
            : " (pure Java; install libopenblas0 for native speed)",
        VectorMath.path()));
    return spark;
  }

  /**
   * Spark's loggers that print a failed task's stack trace (the executor's ERROR, the
   * scheduler's WARN "Lost task" and ERROR "aborting job"), and the CSV header WARN: the
   * failure reaches the driver and sparkprop prints it as one line, so without
   * {@code --verbose} they are off; with it, at WARN.
   */
  static void quietTaskFailures(boolean quiet) {
    Level level = quiet ? Level.OFF : Level.WARN;
    for (String logger : List.of("org.apache.spark.executor.Executor",
        "org.apache.spark.scheduler.TaskSetManager",
        "org.apache.spark.sql.catalyst.csv.CSVHeaderChecker")) {
      Configurator.setLevel(logger, level);
    }
  }

  /**
   * The Hadoop configuration for the driver's own file access (model directories) before or
   * without a SparkSession: Hadoop's defaults and site files, plus the {@code spark.hadoop.*}
   * settings that spark-submit passed, as Spark's own configuration would hold them.
   */
  static Configuration hadoopConfiguration() {
    Configuration conf = new Configuration();
    for (Tuple2<String, String> e : new SparkConf().getAllWithPrefix("spark.hadoop.")) {
      conf.set(e._1(), e._2());
    }
    return conf;
  }
}
