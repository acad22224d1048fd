package dev.sparkprop.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on 127.0.0.1 started by {@code scripts/cluster} (Master and Workers
 * as JVMs of their own) from this test run's classpath, and the commands the tests run against
 * it: the same {@code java ... dev.sparkprop.cli.Submit} command that {@code scripts/sparkprop}
 * runs for a cluster master. Stops with its owner: {@code --stop-with} this JVM's PID.
 */
final class LocalCluster implements AutoCloseable {
  static final Path ROOT = Path.of("").toAbsolutePath();
  /**
   * JVM options of every JVM of the test cluster (Master, Workers, executors, drivers): only the
   * C1 compiler and the serial collector. The JVMs live for seconds to minutes on a shared 2-core
   * machine, where C2's compile threads and parallel GC threads compete with the work; the
   * numerics run in native BLAS and Java's floating point does not depend on the JIT tier, so the
   * models are the same. The Vector API is compiled to SIMD by C2 only (under C1 it runs boxed,
   * far slower), so these JVMs take the scalar element-wise path, which is bit-identical to the
   * SIMD one ({@code VectorMath}): the tests comparing cluster models and predictions with the
   * in-process local[2] run (SIMD) therefore also check that identity across JVMs.
   */
  static final String FAST_START_JAVA_OPTS =
      "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Ddev.sparkprop.vector-math=false";
  private static final String DAEMON_JAVA_OPTS = FAST_START_JAVA_OPTS;
  private static final Pattern FLAGS = Pattern.compile("<spark\\.jvm\\.flags>(.*)</spark\\.jvm\\.flags>");

  final Path stateDir;
  final String masterUrl;
  /** Jars of this test run (Spark's and ours); the Workers' SPARK_HOME links to them. */
  final List<String> classpathJars;
  /** This project's classes as an application jar, shipped to executors like a real one. */
  final Path appJar;
  final List<String> jvmFlags;
  /** Seconds the start took. */
  final double startSeconds;

  private LocalCluster(Path stateDir, String masterUrl, List<String> jars, Path appJar,
      List<String> flags, double startSeconds) {
    this.stateDir = stateDir;
    this.masterUrl = masterUrl;
    this.classpathJars = jars;
    this.appJar = appJar;
    this.jvmFlags = flags;
    this.startSeconds = startSeconds;
  }

  /** Starts a Master and {@code workers} Workers of one core and {@code memory} each. */
  static LocalCluster start(Path dir, int workers, String memory) throws IOException,
      InterruptedException {
    List<String> jars = classpathJars();
    Path appJar = appJar(dir.resolve("sparkprop-app.jar"));
    Path state = dir.resolve("cluster");
    long t0 = System.nanoTime();
    Result r = null;
    // Ports: two distinct free ones picked by the kernel, so a concurrent run of these tests
    // (another worktree, say) does not pick the same; if one is taken by someone else between
    // the pick and the Master's bind, the start fails and is retried with new ports.
    for (int attempt = 1; attempt <= 3; attempt++) {
      int[] ports = twoFreePorts();
      r = run(List.of(ROOT.resolve("scripts/cluster").toString(), "start",
              "--state-dir", state.toString(), "--workers", Integer.toString(workers),
              "--worker-cores", "1", "--worker-memory", memory,
              "--port", Integer.toString(ports[0]), "--webui-port", Integer.toString(ports[1]),
              "--timeout", "240", "--stop-with", Long.toString(ProcessHandle.current().pid())),
          Map.of("SPARKPROP_CLASSPATH", String.join(File.pathSeparator, jars),
              "SPARK_DAEMON_JAVA_OPTS", DAEMON_JAVA_OPTS), 300);
      if (r.code == 0 || !portProblem(r.output)) {
        break;
      }
      System.out.printf("LocalCluster: ports %d/%d were taken, retrying%n", ports[0], ports[1]);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, r.code, "scripts/cluster start failed:\n" + r.output);
    String url = Files.readString(state.resolve("url")).trim();
    return new LocalCluster(state, url, jars, appJar, jvmFlags(), seconds);
  }

  /** Stops every process of the cluster (scripts/cluster stop), then checks none is left. */
  @Override
  public void close() throws IOException, InterruptedException {
    Result r = run(List.of(ROOT.resolve("scripts/cluster").toString(), "stop", "--state-dir",
        stateDir.toString()), Map.of(), 120);
    if (r.code != 0) {
      throw new IllegalStateException("scripts/cluster stop failed:\n" + r.output);
    }
  }

  // ---------------------------------------------------------------- commands on the cluster

  /** {@code scripts/sparkprop}'s command for a cluster master, as a process of its own. */
  List<String> submitCommand(List<String> sparkConf, String deployMode, String... sparkpropArgs) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of(FAST_START_JAVA_OPTS.split(" ")));
    cmd.add("-Xmx1g");
    cmd.add("-Dlog4j.configurationFile=" + ROOT.resolve("conf/log4j2.properties"));
    cmd.add("-cp");
    cmd.add(appJar + File.pathSeparator + String.join(File.pathSeparator, classpathJars));
    cmd.add("dev.sparkprop.cli.Submit");
    cmd.addAll(List.of("--master", masterUrl, "--deploy-mode", deployMode,
        "--class", "dev.sparkprop.cli.Main",
        "--conf", "spark.executorEnv.OPENBLAS_NUM_THREADS=1",
        "--conf", "spark.executor.extraJavaOptions=" + FAST_START_JAVA_OPTS));
    for (String c : sparkConf) {
      cmd.add("--conf");
      cmd.add(c);
    }
    cmd.add(appJar.toString());
    cmd.addAll(Arrays.asList(sparkpropArgs));
    return cmd;
  }

  /** An executor JVM started by one of this cluster's Workers. */
  record Executor(String appId, String id, long pid) {}

  /**
   * The executor JVMs that this cluster's Workers run now: processes whose working directory
   * lies in a Worker's work directory and whose main class is Spark's executor backend.
   */
  List<Executor> executors() {
    List<Executor> out = new ArrayList<>();
    Path work = stateDir.resolve("work");
    ProcessHandle.allProcesses().forEach(p -> {
      Path proc = Path.of("/proc", Long.toString(p.pid()));
      try {
        if (!Files.readSymbolicLink(proc.resolve("cwd")).startsWith(work)) {
          return;
        }
        List<String> args = Arrays.asList(new String(Files.readAllBytes(proc.resolve("cmdline")),
            StandardCharsets.UTF_8).split("\0"));
        int app = args.indexOf("--app-id");
        int id = args.indexOf("--executor-id");
        if (args.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend") && app > 0
            && id > 0 && app + 1 < args.size() && id + 1 < args.size()) {
          out.add(new Executor(args.get(app + 1), args.get(id + 1), p.pid()));
        }
      } catch (IOException | UnsupportedOperationException e) {
        // gone, or not ours to read
      }
    });
    return out;
  }

  // ---------------------------------------------------------------- set-up helpers

  /** The jars of this JVM's test classpath (surefire passes it in surefire.test.class.path). */
  static List<String> classpathJars() {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> jars = new ArrayList<>();
    for (String e : cp.split(File.pathSeparator)) {
      if (e.endsWith(".jar") && Files.isRegularFile(Path.of(e))
          && !Path.of(e).getFileName().toString().startsWith("surefire")) {
        jars.add(e);
      }
    }
    return jars;
  }

  /** target/classes as a jar: what {@code mvn package} ships, without the shading. */
  static Path appJar(Path jar) throws IOException {
    Path classes = ROOT.resolve("target/classes");
    Files.createDirectories(jar.getParent());
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  /** pom.xml's spark.jvm.flags, the one home of the JVM flags Spark needs. */
  static List<String> jvmFlags() throws IOException {
    Matcher m = FLAGS.matcher(Files.readString(ROOT.resolve("pom.xml")));
    if (!m.find()) {
      throw new IllegalStateException("no <spark.jvm.flags> in pom.xml");
    }
    return List.of(m.group(1).trim().split("\\s+"));
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Two different ports that were free a moment ago (both held open while picking). */
  static int[] twoFreePorts() throws IOException {
    try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new int[] {a.getLocalPort(), b.getLocalPort()};
    }
  }

  /** Whether scripts/cluster start failed because a port was taken. */
  private static boolean portProblem(String output) {
    return output.contains("is taken") || output.contains("BindException")
        || output.contains("Address already in use") || output.contains("Failed to bind");
  }

  // ---------------------------------------------------------------- processes

  /** What a finished process printed (stdout and stderr together) and returned. */
  record Result(int code, String output) {}

  /** A process running in the background, its output going to a file. */
  static final class Background implements AutoCloseable {
    final Process process;
    final Path log;

    Background(List<String> cmd, Path log) throws IOException {
      this.log = log;
      this.process = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    String output() {
      return read(log);
    }

    /** Waits for the end, at most {@code timeoutSeconds}; then kills it and fails. */
    Result await(long timeoutSeconds) throws InterruptedException {
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        close();
        throw new AssertionError("timed out after " + timeoutSeconds + " s:\n" + output());
      }
      return new Result(process.exitValue(), output());
    }

    /** Kills the process and its descendants (if still running). */
    @Override
    public void close() throws InterruptedException {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Runs {@code cmd} to its end, at most {@code timeoutSeconds}, then kills it. */
  static Result run(List<String> cmd, Map<String, String> env, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("sparkprop-cluster-test", ".log");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor();
        return new Result(-1, "TIMED OUT after " + timeoutSeconds + " s:\n" + read(log));
      }
      return new Result(p.exitValue(), read(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
