package dev.sparkprop.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Start and end times (scheduler clock, ms) and stage names of every Spark job, to time the
 * iterations of a black box such as MLlib's optimizers from the outside.
 */
final class JobTimes extends SparkListener {
  /**
   * One finished job; {@code names} joins its stages' call sites; {@code cpuNanos} is the CPU
   * time its tasks spent (executorCpuTime), which other load on the machine hardly inflates;
   * {@code firstLaunch} and {@code lastFinish} bound its tasks (all ms, scheduler clock).
   */
  record Job(int id, String names, long start, long end, long cpuNanos, long firstLaunch,
      long lastFinish) {
    long millis() {
      return end - start;
    }
  }

  /** BENCH_TASKS_LOG=1: one stderr line per task and per job (scheduler clock, ms). */
  private static final boolean LOG = System.getenv("BENCH_TASKS_LOG") != null;

  private final Map<Integer, Job> jobs = new ConcurrentHashMap<>();
  private final Map<Integer, Integer> stageToJob = new ConcurrentHashMap<>();
  private final Map<Integer, Long> cpu = new ConcurrentHashMap<>();
  private final Map<Integer, Long> firstLaunch = new ConcurrentHashMap<>();
  private final Map<Integer, Long> lastFinish = new ConcurrentHashMap<>();

  static JobTimes register(SparkContext sc) {
    JobTimes t = new JobTimes();
    sc.addSparkListener(t);
    return t;
  }

  @Override
  public void onJobStart(SparkListenerJobStart e) {
    StringBuilder names = new StringBuilder();
    for (StageInfo s : CollectionConverters.asJava(e.stageInfos())) {
      names.append(s.name()).append(';');
      stageToJob.put(s.stageId(), e.jobId());
    }
    jobs.put(e.jobId(), new Job(e.jobId(), names.toString(), e.time(), -1, 0, -1, -1));
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    Integer job = stageToJob.get(e.stageId());
    if (job != null && e.taskMetrics() != null) {
      cpu.merge(job, e.taskMetrics().executorCpuTime(), Long::sum);
      firstLaunch.merge(job, e.taskInfo().launchTime(), Math::min);
      lastFinish.merge(job, e.taskInfo().finishTime(), Math::max);
      if (LOG) {
        var m = e.taskMetrics();
        var i = e.taskInfo();
        // gettingResultTime is when the driver began fetching an indirect (block manager) result.
        System.err.printf("task job %d stage %d launch %d finish %d run %d ms cpu %.0f ms "
            + "deser %d gc %d result %d ser %d size %d%n", job, e.stageId(), i.launchTime(),
            i.finishTime(), m.executorRunTime(), m.executorCpuTime() / 1e6,
            m.executorDeserializeTime(), m.jvmGCTime(), i.gettingResultTime(),
            m.resultSerializationTime(), m.resultSize());
      }
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd e) {
    // Task-end events of a job are posted before its job-end event.
    if (LOG) {
      Job j = jobs.get(e.jobId());
      System.err.printf("job %d start %d end %d%n", e.jobId(), j == null ? -1 : j.start(),
          e.time());
    }
    jobs.computeIfPresent(e.jobId(), (id, j) -> new Job(id, j.names(), j.start(), e.time(),
        cpu.getOrDefault(id, 0L), firstLaunch.getOrDefault(id, -1L),
        lastFinish.getOrDefault(id, -1L)));
  }

  /** The highest job id seen so far, to mark where a measurement starts. */
  int mark() {
    return jobs.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
  }

  /**
   * Finished jobs with id above {@code mark} whose stage names contain {@code nameContains}, in
   * order. Waits (up to 10 s) for the listener bus to deliver every event first.
   */
  List<Job> since(int mark, String nameContains) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (jobs.values().stream().anyMatch(j -> j.id() > mark && j.end() < 0)) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("Spark listener bus did not deliver job end events");
      }
      sleep(5);
    }
    sleep(50); // a last start event may still be queued
    List<Job> out = new ArrayList<>();
    jobs.values().stream().filter(j -> j.id() > mark && j.end() >= 0
            && j.names().contains(nameContains))
        .sorted((a, b) -> Integer.compare(a.id(), b.id())).forEach(out::add);
    return out;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
