package dev.sparkprop.io;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparkprop.io.SafeTensors.Tensor;
import dev.sparkprop.nn.Checks;
import dev.sparkprop.optim.OptimizerState;
import dev.sparkprop.train.Checkpoint;
import dev.sparkprop.train.EarlyStopping;
import dev.sparkprop.train.EpochStats;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Training checkpoints in a directory on any Hadoop-compatible file system. Each checkpoint is
 * a subdirectory {@code epoch-NNNNNN} holding {@value #STATE_FILE} (parameters, best
 * parameters, optimizer arrays and the input scaling, all F64) and {@value #INFO_FILE} (epoch,
 * seed, optimizer step count, early-stopping state, history and the run's configuration). It is
 * written to a hidden temporary sibling and renamed into place, and only then are older
 * checkpoints deleted: a run killed at any moment leaves the last complete checkpoint (and
 * perhaps a hidden temporary one, which a later write deletes: {@link HiddenSiblings}).
 */
public final class CheckpointStore {
  public static final String STATE_FILE = "state.safetensors";
  public static final String INFO_FILE = "checkpoint.json";
  static final String PREFIX = "epoch-";
  static final String FORMAT = "sparkprop-checkpoint";
  static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  private CheckpointStore() {}

  /** A checkpoint with what the command line saved beside it. */
  public record Stored(Checkpoint checkpoint, String configuration, Scaling scaling,
      String location) {}

  /**
   * Writes {@code checkpoint} into {@code dir} (created if needed) and deletes the older ones.
   *
   * @param configuration the run's configuration (HOCON), for {@code train --resume}
   */
  public static void write(Configuration conf, String dir, Checkpoint checkpoint,
      String configuration, Scaling scaling) {
    Path root = new Path(dir);
    String name = name(checkpoint.epoch());
    try {
      FileSystem fs = root.getFileSystem(conf);
      fs.mkdirs(root);
      Path target = new Path(root, name);
      Path tmp = HiddenSiblings.temporary(root, name);
      boolean moved = false;
      try {
        fs.mkdirs(tmp);
        try (OutputStream out = fs.create(new Path(tmp, STATE_FILE), false)) {
          SafeTensors.write(out, tensors(checkpoint, scaling), Map.of("format", FORMAT));
        }
        try (OutputStream out = fs.create(new Path(tmp, INFO_FILE), false)) {
          out.write(JSON.writeValueAsBytes(info(checkpoint, configuration)));
        }
        // A checkpoint of the same epoch (a resumed run's) is replaced, as any output is.
        AtomicOutput.moveIntoPlace(fs, tmp, target, true, target.toString());
        moved = true;
      } finally {
        if (!moved) {
          fs.delete(tmp, true);
        }
      }
      for (FileStatus s : fs.listStatus(root)) {
        String n = s.getPath().getName();
        if (epochOf(n) >= 0 && !n.equals(name)) {
          fs.delete(s.getPath(), true);
        }
      }
      // Temporary checkpoints that killed runs left.
      HiddenSiblings.deleteStale(fs, root, n -> epochOf(n) >= 0);
    } catch (IOException e) {
      throw new IllegalArgumentException("checkpoint directory '" + dir + "' cannot be written: "
          + InputReader.firstLine(e), e);
    }
  }

  /** The epoch of the latest checkpoint in {@code dir}, if it holds any. */
  public static Optional<Integer> latestEpoch(Configuration conf, String dir) {
    Path root = new Path(dir);
    try {
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        return Optional.empty();
      }
      int best = -1;
      for (FileStatus s : fs.listStatus(root)) {
        best = Math.max(best, epochOf(s.getPath().getName()));
      }
      return best < 0 ? Optional.empty() : Optional.of(best);
    } catch (IOException e) {
      throw new IllegalArgumentException("checkpoint directory '" + dir + "' cannot be read: "
          + InputReader.firstLine(e), e);
    }
  }

  /**
   * The latest checkpoint in {@code dir}.
   *
   * @throws IllegalArgumentException if there is none
   * @throws ModelFormatException if it is corrupt
   */
  public static Stored latest(Configuration conf, String dir) {
    int epoch = latestEpoch(conf, dir).orElseThrow(() -> new IllegalArgumentException(
        "'" + dir + "' holds no checkpoint (a directory " + PREFIX + "NNNNNN written by a run "
            + "with checkpoint.dir set)"));
    Path path = new Path(dir, name(epoch));
    String file = STATE_FILE;
    try {
      FileSystem fs = path.getFileSystem(conf);
      Map<String, Tensor> tensors = SafeTensors.read(readAll(fs, new Path(path, STATE_FILE)));
      file = INFO_FILE;
      JsonNode info = JSON.readTree(readAll(fs, new Path(path, INFO_FILE)));
      return read(info, tensors, path.toString());
    } catch (IOException e) {
      throw new ModelFormatException("checkpoint '" + path + "' cannot be read: " + file + ": "
          + InputReader.firstLine(e), e);
    } catch (RuntimeException e) {
      String message = String.valueOf(e.getMessage()).replaceFirst("^safetensors data: ", "");
      throw new ModelFormatException("checkpoint '" + path + "' is corrupt: " + file + ": "
          + message, e);
    }
  }

  static String name(int epoch) {
    return String.format(java.util.Locale.ROOT, "%s%06d", PREFIX, epoch);
  }

  /** The epoch a directory name stands for, or -1 if it is not a checkpoint's. */
  static int epochOf(String name) {
    if (!name.startsWith(PREFIX) || name.length() <= PREFIX.length()) {
      return -1;
    }
    String digits = name.substring(PREFIX.length());
    if (!digits.chars().allMatch(Character::isDigit) || digits.length() > 9) {
      return -1;
    }
    return Integer.parseInt(digits);
  }

  private static byte[] readAll(FileSystem fs, Path file) throws IOException {
    long length = fs.getFileStatus(file).getLen();
    Checks.arg(length < Integer.MAX_VALUE - 8, "%s is too large (%s bytes)", file, length);
    byte[] bytes = new byte[(int) length];
    try (FSDataInputStream in = fs.open(file)) {
      in.readFully(0, bytes);
    }
    return bytes;
  }

  private static LinkedHashMap<String, Tensor> tensors(Checkpoint c, Scaling scaling) {
    LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
    put(t, "params", c.params());
    put(t, "best_params", c.best().params());
    c.optimizer().arrays().forEach((name, values) -> put(t, "optimizer." + name, values));
    put(t, "scaling.feature_mean", scaling.featureMean());
    put(t, "scaling.feature_std", scaling.featureStd());
    put(t, "scaling.label_mean", scaling.labelMean());
    put(t, "scaling.label_std", scaling.labelStd());
    return t;
  }

  private static void put(Map<String, Tensor> t, String name, double[] values) {
    if (values != null) {
      t.put(name, Tensor.f64(values, values.length));
    }
  }

  private static ObjectNode info(Checkpoint c, String configuration) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("format_version", FORMAT_VERSION);
    root.put("epoch", c.epoch());
    root.put("seed", c.seed());
    root.put("finished", c.stopReason());
    ObjectNode optimizer = root.putObject("optimizer");
    optimizer.put("name", c.optimizer().optimizer());
    optimizer.put("steps", c.optimizer().steps());
    ArrayNode arrays = optimizer.putArray("arrays");
    c.optimizer().arrays().keySet().forEach(arrays::add);
    ObjectNode best = root.putObject("early_stopping");
    best.put("best_epoch", c.best().epoch());
    number(best, "best_loss", c.best().loss());
    best.put("since_best", c.best().sinceBest());
    ArrayNode history = root.putArray("history");
    for (EpochStats e : c.history()) {
      ObjectNode h = history.addObject();
      h.put("epoch", e.epoch());
      h.put("epochs", e.epochs());
      h.put("steps", e.steps());
      number(h, "learning_rate", e.learningRate());
      number(h, "train_loss", e.trainLoss());
      ObjectNode v = h.putObject("validation");
      e.validation().forEach((k, x) -> number(v, k, x));
      h.put("seconds", e.seconds());
      h.put("rows", e.rows());
    }
    root.put("configuration", configuration);
    return root;
  }

  /** A double as JSON: finite numbers as numbers (exactly), others as strings. */
  private static void number(ObjectNode node, String key, double value) {
    if (Double.isFinite(value)) {
      node.put(key, value);
    } else {
      node.put(key, Double.toString(value));
    }
  }

  private static double number(JsonNode node, String key) {
    JsonNode v = require(node, key);
    if (v.isTextual()) {
      return Double.parseDouble(v.asText());
    }
    Checks.arg(v.isNumber(), "'%s' is not a number", key);
    return v.asDouble();
  }

  private static JsonNode require(JsonNode node, String key) {
    JsonNode v = node.get(key);
    Checks.arg(v != null, "%s lacks '%s'", INFO_FILE, key);
    return v;
  }

  private static Stored read(JsonNode info, Map<String, Tensor> tensors, String location) {
    Checks.arg(FORMAT.equals(require(info, "format").asText()), "%s is not a %s file",
        INFO_FILE, FORMAT);
    int version = require(info, "format_version").asInt();
    Checks.arg(version == FORMAT_VERSION, "format_version %s is not supported (only %s)",
        version, FORMAT_VERSION);
    JsonNode optimizer = require(info, "optimizer");
    Map<String, double[]> arrays = new LinkedHashMap<>();
    for (JsonNode name : require(optimizer, "arrays")) {
      arrays.put(name.asText(), tensor(tensors, "optimizer." + name.asText()));
    }
    OptimizerState.Snapshot snapshot = new OptimizerState.Snapshot(
        require(optimizer, "name").asText(), require(optimizer, "steps").asLong(), arrays);
    JsonNode es = require(info, "early_stopping");
    EarlyStopping.Best best = new EarlyStopping.Best(require(es, "best_epoch").asInt(),
        number(es, "best_loss"), tensors.containsKey("best_params")
            ? tensor(tensors, "best_params") : null, require(es, "since_best").asInt());
    List<EpochStats> history = new ArrayList<>();
    for (JsonNode h : require(info, "history")) {
      Map<String, Double> validation = new LinkedHashMap<>();
      Iterator<String> names = require(h, "validation").fieldNames();
      while (names.hasNext()) {
        String k = names.next();
        validation.put(k, number(h.get("validation"), k));
      }
      history.add(new EpochStats(require(h, "epoch").asInt(), require(h, "epochs").asInt(),
          require(h, "steps").asInt(), number(h, "learning_rate"), number(h, "train_loss"),
          validation, number(h, "seconds"), require(h, "rows").asLong()));
    }
    JsonNode finished = require(info, "finished");
    Checkpoint checkpoint = new Checkpoint(require(info, "seed").asLong(),
        require(info, "epoch").asInt(), tensor(tensors, "params"), snapshot, best, history,
        finished.isNull() ? null : finished.asText());
    Scaling scaling = new Scaling(optional(tensors, "scaling.feature_mean"),
        optional(tensors, "scaling.feature_std"), optional(tensors, "scaling.label_mean"),
        optional(tensors, "scaling.label_std"));
    return new Stored(checkpoint, require(info, "configuration").asText(), scaling, location);
  }

  private static double[] tensor(Map<String, Tensor> tensors, String name) {
    Tensor t = tensors.get(name);
    Checks.arg(t != null, "%s lacks tensor '%s'", STATE_FILE, name);
    Checks.arg(t.shape().length == 1, "tensor '%s' is not a vector", name);
    return t.data();
  }

  private static double[] optional(Map<String, Tensor> tensors, String name) {
    return tensors.containsKey(name) ? tensor(tensors, name) : null;
  }
}
