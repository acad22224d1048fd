package dev.sparkprop.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.deploy.SparkSubmit;

/**
 * Spark's {@code spark-submit} for sparkprop, exiting with the job's real outcome:
 * {@code java ... dev.sparkprop.cli.Submit [spark-submit options] APP.jar COMMAND ...}, the
 * command {@code scripts/sparkprop} runs for a cluster master.
 *
 * <ul>
 *   <li>Client deploy mode (the default) and other cluster managers: Spark's {@code SparkSubmit}
 *       runs in this JVM, so does the driver, and {@link Main}'s exit code is the process's.</li>
 *   <li>Standalone cluster deploy mode ({@code --master spark://... --deploy-mode cluster}):
 *       {@code spark-submit} only hands the driver to the Master and exits 0 whatever then
 *       happens to it. Here a child {@code SparkSubmit} waits for the driver
 *       ({@code spark.standalone.submit.waitAppCompletion}), and its final state decides:
 *       FINISHED is 0; FAILED, KILLED, ERROR, or a submission that never reached a final state,
 *       is {@link #DRIVER_FAILED}, with one line naming the driver and where its log is. The
 *       child is an installation's {@code bin/spark-submit} when {@value #SPARK_SUBMIT_ENV}
 *       names one. The driver also gets the JVM flags Spark needs (in
 *       {@code spark.driver.extraJavaOptions}, which the Worker does not add by itself).</li>
 * </ul>
 */
public final class Submit {
  /**
   * Exit code when a driver submitted in standalone cluster deploy mode did not finish
   * successfully; the driver's own exit code (an {@link ExitCode}) stays in its log on the
   * cluster, because the Master reports only the driver's state.
   */
  public static final int DRIVER_FAILED = ExitCode.DRIVER_FAILED.code;

  /** spark-submit options that take no value (SparkSubmitOptionParser's switches). */
  private static final Set<String> SWITCHES = Set.of("--supervise", "--verbose", "-v", "--help",
      "-h", "--version", "--usage-error");

  /**
   * Environment variable naming a {@code bin/spark-submit} to run as the waiting child in
   * standalone cluster deploy mode (scripts/sparkprop sets it when SPARK_HOME is set); unset, the
   * child is Spark's SparkSubmit class from this JVM's classpath.
   */
  static final String SPARK_SUBMIT_ENV = "SPARKPROP_SPARK_SUBMIT";
  private static final String WAIT = "spark.standalone.submit.waitAppCompletion";
  private static final String DRIVER_JAVA_OPTIONS = "spark.driver.extraJavaOptions";
  private static final Pattern SUBMITTED = Pattern.compile("submitted as (driver-\\S+)");
  private static final Pattern RUNNING_ON = Pattern.compile("Driver running on (\\S+) \\((\\S+)\\)");
  /** Both of the client's forms: "State of driver-1 is ERROR", "State of driver driver-1 is ...". */
  private static final Pattern FINAL_STATE = Pattern.compile(
      "State of (?:driver )?(driver-\\S+) is (FINISHED|FAILED|ERROR|KILLED)");

  private Submit() {}

  public static void main(String[] argv) throws Exception {
    Options o = Options.parse(argv);
    if (o.standaloneCluster()) {
      System.exit(submitAndWait(o, System.err));
    }
    SparkSubmit.main(argv);
    // The driver returned normally (Main exits by itself on failure): nothing left to wait for,
    // even if a library left a non-daemon thread behind.
    System.exit(0);
  }

  /** The spark-submit options this class looks at; {@code argv} is kept as given. */
  record Options(List<String> argv, String master, String deployMode, int primaryIndex,
      String driverJavaOptions, int driverJavaOptionsIndex) {

    static Options parse(String[] args) {
      String master = null;
      String deployMode = null;
      String javaOptions = null;
      int javaOptionsIndex = -1;
      int primary = -1;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (!a.startsWith("-")) {
          primary = i;
          break;
        }
        String name = a;
        String value = null;
        int eq = a.indexOf('=');
        if (a.startsWith("--") && eq > 0) {
          name = a.substring(0, eq);
          value = a.substring(eq + 1);
        } else if (!SWITCHES.contains(a) && i + 1 < args.length) {
          value = args[++i];
        }
        if (value == null) {
          continue;
        }
        switch (name) {
          case "--master" -> master = value;
          case "--deploy-mode" -> deployMode = value;
          case "--driver-java-options" -> {
            javaOptions = value;
            javaOptionsIndex = i;
          }
          case "--conf", "-c" -> {
            int e = value.indexOf('=');
            String key = e < 0 ? value : value.substring(0, e);
            String v = e < 0 ? "" : value.substring(e + 1);
            if (key.equals("spark.submit.deployMode")) {
              deployMode = v;
            } else if (key.equals("spark.master")) {
              master = v;
            } else if (key.equals(DRIVER_JAVA_OPTIONS)) {
              javaOptions = v;
              javaOptionsIndex = i;
            }
          }
          default -> { }
        }
      }
      return new Options(List.of(args), master, deployMode, primary, javaOptions,
          javaOptionsIndex);
    }

    boolean standaloneCluster() {
      return master != null && master.startsWith("spark://") && "cluster".equals(deployMode);
    }

    /**
     * The arguments of the child spark-submit: waiting for the driver, and the JVM flags in
     * front of the driver's own Java options.
     */
    List<String> childArgs(String jvmFlags) {
      List<String> out = new ArrayList<>(argv);
      String options = driverJavaOptions == null ? jvmFlags : jvmFlags + " " + driverJavaOptions;
      int insertAt = primaryIndex < 0 ? out.size() : primaryIndex;
      if (driverJavaOptionsIndex >= 0) {
        // Replace the user's value (the arguments --conf K=V or --driver-java-options V).
        String old = out.get(driverJavaOptionsIndex);
        out.set(driverJavaOptionsIndex, old.startsWith(DRIVER_JAVA_OPTIONS + "=")
            ? DRIVER_JAVA_OPTIONS + "=" + options
            : old.startsWith("--driver-java-options=") ? "--driver-java-options=" + options
            : options);
      } else {
        out.addAll(insertAt, List.of("--conf", DRIVER_JAVA_OPTIONS + "=" + options));
        insertAt += 2;
      }
      out.addAll(insertAt, List.of("--conf", WAIT + "=true"));
      return out;
    }
  }

  /**
   * Runs spark-submit in a child JVM that waits for the driver, relays its output, and returns
   * the exit code of the driver's final state.
   */
  static int submitAndWait(Options o, PrintStream err) throws IOException, InterruptedException {
    List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
    String flags = String.join(" ", sparkJvmFlags(jvmArgs));
    Path logConfig = Files.createTempFile("sparkprop-submit-log4j2", ".properties");
    try {
      Files.writeString(logConfig, """
          rootLogger.level = warn
          rootLogger.appenderRef.stderr.ref = console
          appender.console.type = Console
          appender.console.name = console
          appender.console.target = SYSTEM_ERR
          appender.console.layout.type = PatternLayout
          appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
          # The submission client's INFO lines carry the driver's id and state.
          logger.client.name = org.apache.spark.deploy.ClientEndpoint
          logger.client.level = info
          """);
      List<String> cmd = new ArrayList<>();
      ProcessBuilder pb = new ProcessBuilder(cmd);
      String sparkSubmit = System.getenv(SPARK_SUBMIT_ENV);
      if (sparkSubmit != null && !sparkSubmit.isBlank()) {
        // An installation's bin/spark-submit: its spark-env.sh, defaults and classpath apply.
        cmd.add(sparkSubmit);
        String opts = System.getenv("SPARK_SUBMIT_OPTS");
        pb.environment().put("SPARK_SUBMIT_OPTS", (opts == null ? "" : opts + " ")
            + "-Dlog4j.configurationFile=" + logConfig);
      } else {
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(sparkJvmFlags(jvmArgs));
        cmd.add("-Xmx256m");
        cmd.add("-Dlog4j.configurationFile=" + logConfig);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(SparkSubmit.class.getName());
      }
      cmd.addAll(o.childArgs(flags));
      Process child = pb.redirectInput(ProcessBuilder.Redirect.INHERIT)
          .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
      Outcome outcome = new Outcome();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getErrorStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          err.println(line);
          outcome.read(line);
        }
      }
      int childCode = child.waitFor();
      return outcome.exitCode(childCode, o.master(), err);
    } finally {
      Files.deleteIfExists(logConfig);
    }
  }

  /** This JVM's module flags (pom.xml's spark.jvm.flags, as the launcher passed them). */
  static List<String> sparkJvmFlags(List<String> jvmArgs) {
    List<String> flags = new ArrayList<>();
    for (String a : jvmArgs) {
      if (a.startsWith("--add-opens") || a.startsWith("--add-modules")
          || a.startsWith("--add-exports") || a.equals("-XX:+IgnoreUnrecognizedVMOptions")
          || a.startsWith("-Dio.netty.tryReflectionSetAccessible")) {
        flags.add(a);
      }
    }
    return flags;
  }

  /** What the submission client reported about the driver. */
  static final class Outcome {
    String driverId;
    String worker;
    String finalState;

    void read(String line) {
      Matcher m = SUBMITTED.matcher(line);
      if (m.find()) {
        driverId = m.group(1);
      }
      m = RUNNING_ON.matcher(line);
      if (m.find()) {
        worker = m.group(2) + " (" + m.group(1) + ")";
      }
      m = FINAL_STATE.matcher(line);
      if (m.find()) {
        driverId = m.group(1);
        finalState = m.group(2);
      }
    }

    int exitCode(int childCode, String master, PrintStream err) {
      if ("FINISHED".equals(finalState)) {
        err.println("sparkprop: driver " + driverId + " FINISHED on " + master);
        return 0;
      }
      String driver = driverId == null ? "the driver" : "driver " + driverId;
      String where = driverId == null ? "" : "; its log is " + driverId + "/stderr in the work"
          + " directory of " + (worker == null ? "its worker" : "worker " + worker)
          + ", also on the master's web UI";
      if (finalState != null) {
        err.println(String.format(Locale.ROOT, "sparkprop: error: %s ended %s on %s%s",
            driver, finalState, master, where));
      } else {
        err.println(String.format(Locale.ROOT, "sparkprop: error: %s did not reach a final "
            + "state on %s (spark-submit exited with %d)%s", driver, master, childCode, where));
      }
      return DRIVER_FAILED;
    }
  }
}
