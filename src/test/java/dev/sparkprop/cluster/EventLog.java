package dev.sparkprop.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A driver's Spark event log (spark.eventLog.enabled, uncompressed, with block updates): what
 * ran where, which executors came and went, and where cached blocks were stored, in order.
 */
record EventLog(String appId, List<JsonNode> events) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Spark settings that make a driver write its event log into {@code dir}. */
  static List<String> settings(Path dir) {
    return List.of("spark.eventLog.enabled=true", "spark.eventLog.dir=" + dir.toUri(),
        "spark.eventLog.compress=false", "spark.eventLog.rolling.enabled=false",
        "spark.eventLog.logBlockUpdates.enabled=true");
  }

  /** The one finished application log in {@code dir}. */
  static EventLog read(Path dir) throws IOException {
    List<Path> logs;
    try (Stream<Path> files = Files.list(dir)) {
      logs = files.filter(f -> !f.getFileName().toString().startsWith(".")).toList();
    }
    if (logs.size() != 1) {
      throw new IllegalStateException("expected one event log in " + dir + ", found " + logs);
    }
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(logs.get(0))) {
      if (!line.isBlank()) {
        events.add(JSON.readTree(line));
      }
    }
    return new EventLog(logs.get(0).getFileName().toString().replace(".inprogress", ""), events);
  }

  List<JsonNode> of(String type) {
    return events.stream().filter(e -> type.equals(e.path("Event").asText())).toList();
  }

  /** Index of the first event of {@code type} for which {@code field} is {@code value}, or -1. */
  int indexOf(String type, String field, String value) {
    for (int i = 0; i < events.size(); i++) {
      JsonNode e = events.get(i);
      if (type.equals(e.path("Event").asText()) && value.equals(e.path(field).asText())) {
        return i;
      }
    }
    return -1;
  }

  /** Ids of the executors that finished at least one task successfully. */
  List<String> executorsWithSuccessfulTasks() {
    return of("SparkListenerTaskEnd").stream()
        .filter(e -> e.path("Task End Reason").path("Reason").asText().equals("Success"))
        .map(e -> e.path("Task Info").path("Executor ID").asText()).distinct().sorted().toList();
  }

  /** The description of each job, in order ("" for a job without one). */
  List<String> jobDescriptions() {
    return of("SparkListenerJobStart").stream()
        .map(e -> e.path("Properties").path("spark.job.description").asText()).toList();
  }

  /** Reasons of the tasks that did not succeed. */
  List<String> failedTaskReasons() {
    return of("SparkListenerTaskEnd").stream()
        .map(e -> e.path("Task End Reason").path("Reason").asText())
        .filter(r -> !r.equals("Success")).toList();
  }

  /** A block update: one cached RDD block stored (or dropped) on one executor. */
  record BlockUpdate(int index, String executor, String block, long memory, long disk) {}

  /** The updates of RDD blocks ({@code rdd_ID_PARTITION}), in order. */
  List<BlockUpdate> rddBlockUpdates() {
    List<BlockUpdate> out = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      JsonNode e = events.get(i);
      if (!e.path("Event").asText().equals("SparkListenerBlockUpdated")) {
        continue;
      }
      JsonNode info = e.path("Block Updated Info");
      String block = info.path("Block ID").asText();
      if (block.startsWith("rdd_")) {
        out.add(new BlockUpdate(i, info.path("Block Manager ID").path("Executor ID").asText(),
            block, info.path("Memory Size").asLong(), info.path("Disk Size").asLong()));
      }
    }
    return out;
  }
}
