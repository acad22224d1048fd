package dev.sparkprop.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparkprop.io.SafeTensors.Tensor;
import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Checks;
import dev.sparkprop.nn.LayerSpec;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.NetworkSpec;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.StreamCapabilities;

/**
 * Saves and loads a {@link Model} as a directory of two files:
 * <ul>
 *   <li>{@code model.safetensors}: tensors {@code layers.{i}.weight} [out_i, in_i] and
 *       {@code layers.{i}.bias} [out_i] (F64; F32 is also read), and when present
 *       {@code scaling.feature_mean}, {@code scaling.feature_std}, {@code scaling.label_mean},
 *       {@code scaling.label_std}; see {@link SafeTensors}.</li>
 *   <li>{@code metadata.json}: {@code format_version}, {@code layers} (sizes [in, ..., out]),
 *       {@code activations}, {@code loss}, {@code num_params}, then the model's metadata.</li>
 * </ul>
 * Any Hadoop-compatible file system holds it (a local path, {@code file://}, {@code hdfs://},
 * {@code s3a://}). A save is atomic: the files are written and synced in a hidden sibling
 * directory that is then renamed into place, so a reader never sees a half-written model (on
 * object stores the rename is a copy: see {@link AtomicOutput}). Every problem found on
 * loading is a {@link ModelFormatException} of one line naming the file.
 */
public final class ModelStore {
  public static final String TENSORS_FILE = "model.safetensors";
  public static final String METADATA_FILE = "metadata.json";
  /** The version of the layout written; loading accepts only this one. */
  public static final int FORMAT_VERSION = 1;
  /** Value of {@code "format"} in the safetensors header's {@code __metadata__}. */
  public static final String FORMAT_NAME = "sparkprop";

  private static final String HOLDS = "a model directory holds " + METADATA_FILE + " and "
      + TENSORS_FILE;
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  private ModelStore() {}

  /**
   * Writes {@code model} to the directory {@code dir}, creating its parent directories.
   *
   * @param overwrite replace an existing model directory at {@code dir}; without it an existing
   *     {@code dir} is an error and nothing is written
   * @throws IllegalArgumentException if {@code dir} exists and {@code overwrite} is false, or if
   *     it exists and is not a model directory (a directory that is empty or holds
   *     metadata.json or model.safetensors), which is never replaced
   */
  public static void save(java.nio.file.Path dir, Model model, boolean overwrite)
      throws IOException {
    save(dir, model, overwrite, Map.of());
  }

  /** {@link #save(Configuration, String, Model, boolean, Map)} on a local path. */
  public static void save(java.nio.file.Path dir, Model model, boolean overwrite,
      Map<String, byte[]> extraFiles) throws IOException {
    save(new Configuration(), dir.toString(), model, overwrite, extraFiles, tmp -> { });
  }

  /**
   * Writes {@code model} and further files (the training history, say) to the directory
   * {@code dir} on any Hadoop-compatible file system ({@code /local/path}, {@code file://},
   * {@code hdfs://}, {@code s3a://}): the files are written (and synced where the file system
   * can) into a hidden sibling directory that is then renamed into place, so they appear
   * together or not at all; a successful save also deletes the hidden siblings of {@code dir}
   * that killed runs left ({@link HiddenSiblings}). Extra file names are plain file names,
   * neither hidden nor one of the model's own files.
   *
   * @throws IllegalArgumentException as {@link #save(java.nio.file.Path, Model, boolean)}
   */
  public static void save(Configuration conf, String dir, Model model, boolean overwrite,
      Map<String, byte[]> extraFiles) throws IOException {
    save(conf, dir, model, overwrite, extraFiles, tmp -> { });
  }

  /** The save, calling {@code beforeMove} with the fully written temporary directory (tests). */
  static void save(java.nio.file.Path dir, Model model, boolean overwrite,
      Map<String, byte[]> extraFiles, Consumer<java.nio.file.Path> beforeMove) throws IOException {
    save(new Configuration(), dir.toString(), model, overwrite, extraFiles,
        tmp -> beforeMove.accept(java.nio.file.Path.of(tmp.toUri().getPath())));
  }

  private static void save(Configuration conf, String dir, Model model, boolean overwrite,
      Map<String, byte[]> extraFiles, Consumer<Path> beforeMove) throws IOException {
    for (String name : extraFiles.keySet()) {
      Checks.arg(!name.isEmpty() && !name.equals(TENSORS_FILE) && !name.equals(METADATA_FILE)
          && !name.contains("/") && !name.contains("\\") && !name.startsWith("."),
          "bad extra model file name '%s'", name);
    }
    Objects.requireNonNull(model, "model");
    Checks.arg(!dir.isEmpty(), "output must name a directory");
    Path given = new Path(dir);
    FileSystem fs = fileSystem(given, conf);
    Path target = fs.makeQualified(given);
    Checks.arg(target.getParent() != null && !target.getName().isEmpty(),
        "output '%s' must name a directory", dir);
    HiddenSiblings.restoreInterrupted(fs, target);
    if (fs.exists(target)) {
      if (!overwrite) {
        throw new OutputExistsException(dir);
      }
      checkReplaceable(fs, target, dir);
    }
    Path parent = target.getParent();
    fs.mkdirs(parent);
    Path tmp = HiddenSiblings.temporary(parent, target.getName());
    if (!fs.mkdirs(tmp)) {
      throw new IOException("cannot create " + tmp);
    }
    boolean moved = false;
    try {
      writeTensors(fs, new Path(tmp, TENSORS_FILE), model);
      writeMetadata(fs, new Path(tmp, METADATA_FILE), model);
      for (Map.Entry<String, byte[]> e : extraFiles.entrySet()) {
        writeSynced(fs, new Path(tmp, e.getKey()), e.getValue());
      }
      syncDirectory(fs, tmp);
      beforeMove.accept(tmp);
      if (overwrite && fs.exists(target)) { // again: it may have appeared meanwhile
        checkReplaceable(fs, target, dir);
      }
      AtomicOutput.moveIntoPlace(fs, tmp, target, overwrite, dir);
      moved = true;
      syncDirectory(fs, parent);
    } finally {
      if (!moved) {
        try {
          fs.delete(tmp, true);
        } catch (IOException e) {
          // best effort while another exception propagates
        }
      }
    }
    HiddenSiblings.deleteStale(fs, parent, target.getName()::equals);
  }

  /**
   * Writes {@code model}'s files (and {@code extraFiles}) into the existing directory {@code dir}
   * beside what it already holds: the layout of a Spark ML model path, whose {@code metadata/}
   * Spark's own writer has just created, so that the same directory also loads with
   * {@link #load}. The whole directory is not atomic (Spark's writer owns it); the tensors go
   * last, each file through a hidden temporary renamed into place, so that a killed save never
   * leaves a model.safetensors that {@link #load} would take for complete.
   */
  public static void writeInto(Configuration conf, String dir, Model model,
      Map<String, byte[]> extraFiles) throws IOException {
    Objects.requireNonNull(model, "model");
    Path target = new Path(dir);
    FileSystem fs = fileSystem(target, conf);
    Checks.arg(fs.exists(target) && fs.getFileStatus(target).isDirectory(),
        "'%s' must be an existing directory", dir);
    Map<String, byte[]> files = new java.util.LinkedHashMap<>(extraFiles);
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      writeRenamed(fs, target, e.getKey(), tmp -> writeSynced(fs, tmp, e.getValue()));
    }
    writeRenamed(fs, target, METADATA_FILE, tmp -> writeMetadata(fs, tmp, model));
    writeRenamed(fs, target, TENSORS_FILE, tmp -> writeTensors(fs, tmp, model));
    syncDirectory(fs, target);
  }

  /** One file of {@link #writeInto}: written to a hidden temporary, then renamed to its name. */
  private static void writeRenamed(FileSystem fs, Path dir, String name, FileWriter writer)
      throws IOException {
    Path tmp = new Path(dir, "." + name + ".tmp");
    Path file = new Path(dir, name);
    try {
      writer.write(tmp);
      if (fs.exists(file)) {
        fs.delete(file, false);
      }
      if (!fs.rename(tmp, file)) {
        throw new IOException("cannot rename " + tmp + " to " + file);
      }
    } finally {
      if (fs.exists(tmp)) {
        fs.delete(tmp, false);
      }
    }
  }

  @FunctionalInterface
  private interface FileWriter {
    void write(Path file) throws IOException;
  }

  /**
   * Reads and checks a model directory.
   *
   * @throws ModelFormatException naming the file and the problem: a missing directory or file,
   *     a corrupt or truncated safetensors file, a missing tensor or one of the wrong dtype or
   *     shape, a metadata.json that is not JSON, lacks a key, names an unknown activation or
   *     loss, or has an unsupported format_version
   * @throws IOException if a file exists but cannot be read
   */
  public static Model load(java.nio.file.Path dir) throws IOException {
    return load(new Configuration(), dir.toString());
  }

  /** {@link #load(java.nio.file.Path)} on any Hadoop-compatible file system. */
  public static Model load(Configuration conf, String dir) throws IOException {
    if (dir.isEmpty()) {
      throw new ModelFormatException("model directory '' does not exist");
    }
    Path path = new Path(dir);
    FileSystem fs = fileSystem(path, conf);
    HiddenSiblings.restoreInterrupted(fs, fs.makeQualified(path));
    if (!fs.exists(path)) {
      throw new ModelFormatException("model directory '" + dir + "' does not exist");
    }
    if (!fs.getFileStatus(path).isDirectory()) {
      throw new ModelFormatException("'" + dir + "' is not a directory; " + HOLDS);
    }
    Path metadataFile = new Path(path, METADATA_FILE);
    Path tensorsFile = new Path(path, TENSORS_FILE);
    for (Path file : List.of(metadataFile, tensorsFile)) {
      if (!fs.exists(file) || !fs.getFileStatus(file).isFile()) {
        throw fail(file, "file not found; %s", HOLDS);
      }
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    NetworkSpec spec = readMetadata(readAll(fs, metadataFile), metadataFile, metadata);
    Map<String, Tensor> tensors = SafeTensors.read(fs, tensorsFile);
    return assemble(spec, metadata, tensors, tensorsFile);
  }

  /**
   * The file system of {@code path}; for local paths the raw one, which writes no {@code .crc}
   * checksum files beside the model's.
   */
  private static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
  }

  // ---------------------------------------------------------------- writing

  private static void writeTensors(FileSystem fs, Path file, Model model) throws IOException {
    NetworkSpec spec = model.spec();
    double[] params = model.params();
    LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    for (int l = 0; l < spec.numLayers(); l++) {
      LayerSpec layer = spec.layer(l);
      int w = spec.weightOffset(l);
      int b = spec.biasOffset(l);
      tensors.put(weightName(l), Tensor.f64(
          Arrays.copyOfRange(params, w, w + layer.outputs() * layer.inputs()),
          layer.outputs(), layer.inputs()));
      tensors.put(biasName(l), Tensor.f64(
          Arrays.copyOfRange(params, b, b + layer.outputs()), layer.outputs()));
    }
    Scaling s = model.scaling();
    if (s.scalesFeatures()) {
      tensors.put("scaling.feature_mean", Tensor.f64(s.featureMean(), s.featureMean().length));
      tensors.put("scaling.feature_std", Tensor.f64(s.featureStd(), s.featureStd().length));
    }
    if (s.scalesLabels()) {
      tensors.put("scaling.label_mean", Tensor.f64(s.labelMean(), s.labelMean().length));
      tensors.put("scaling.label_std", Tensor.f64(s.labelStd(), s.labelStd().length));
    }
    Map<String, String> header = new LinkedHashMap<>();
    header.put("format", FORMAT_NAME);
    header.put("format_version", Integer.toString(FORMAT_VERSION));
    try (FSDataOutputStream file0 = fs.create(file, false)) {
      OutputStream out = new BufferedOutputStream(file0, 1 << 16);
      SafeTensors.write(out, tensors, header);
      out.flush();
      sync(file0);
    }
  }

  private static void writeMetadata(FileSystem fs, Path file, Model model) throws IOException {
    NetworkSpec spec = model.spec();
    ObjectNode root = JSON.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    ArrayNode layers = root.putArray("layers");
    for (int size : spec.sizes()) {
      layers.add(size);
    }
    ArrayNode activations = root.putArray("activations");
    spec.activationIds().forEach(activations::add);
    root.put("loss", spec.loss().id());
    root.put("num_params", spec.numParams());
    for (Map.Entry<String, Object> e : model.metadata().entrySet()) {
      root.set(e.getKey(), JSON.valueToTree(e.getValue()));
    }
    byte[] json = JSON.writeValueAsBytes(root);
    byte[] text = Arrays.copyOf(json, json.length + 1);
    text[json.length] = '\n';
    writeSynced(fs, file, text);
  }

  /** Writes a new file and forces it to the disk. */
  private static void writeSynced(FileSystem fs, Path file, byte[] bytes) throws IOException {
    try (FSDataOutputStream out = fs.create(file, false)) {
      out.write(bytes);
      sync(out);
    }
  }

  /** Forces a file to the disk where the stream can (local files, HDFS; not object stores). */
  private static void sync(FSDataOutputStream out) throws IOException {
    if (out.hasCapability(StreamCapabilities.HSYNC)) {
      out.hsync();
    }
  }

  /** Refuses to replace anything but a model directory (or an empty one). */
  private static void checkReplaceable(FileSystem fs, Path target, String dir)
      throws IOException {
    boolean model = fs.getFileStatus(target).isDirectory()
        && (fs.exists(new Path(target, METADATA_FILE)) || fs.exists(new Path(target, TENSORS_FILE))
            || fs.listStatus(target).length == 0);
    Checks.arg(model, "output '%s' exists but is not a model directory (%s); refusing to "
        + "replace it", dir, HOLDS);
  }

  /**
   * Makes a rename or new files in a local directory durable; a no-op elsewhere and where
   * directories cannot be synced.
   */
  private static void syncDirectory(FileSystem fs, Path dir) {
    if (!(fs instanceof RawLocalFileSystem local)) {
      return;
    }
    try (FileChannel channel = FileChannel.open(local.pathToFile(dir).toPath(),
        StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Windows cannot open a directory; the files themselves were synced.
    }
  }

  private static byte[] readAll(FileSystem fs, Path file) throws IOException {
    long length = fs.getFileStatus(file).getLen();
    if (length > Integer.MAX_VALUE - 16) {
      throw fail(file, "%s bytes, too large for a metadata file", length);
    }
    byte[] bytes = new byte[(int) length];
    try (FSDataInputStream in = fs.open(file)) {
      in.readFully(0, bytes);
    }
    return bytes;
  }

  // ---------------------------------------------------------------- reading

  /** Parses metadata.json into a spec, putting its other keys into {@code metadata}. */
  private static NetworkSpec readMetadata(byte[] bytes, Path file, Map<String, Object> metadata)
      throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw fail(file, "not valid JSON (%s)", oneLine(e.getOriginalMessage()));
    }
    if (root == null || !root.isObject()) {
      throw fail(file, "expected a JSON object");
    }
    long version = integer(root, "format_version", file);
    if (version != FORMAT_VERSION) {
      throw fail(file, "unsupported format_version %s; this sparkprop reads format_version %s",
          version, FORMAT_VERSION);
    }
    JsonNode layersNode = require(root, "layers", file);
    if (!layersNode.isArray() || layersNode.size() < 2) {
      throw fail(file, "'layers' must be an array of at least 2 sizes [in, ..., out], got %s",
          layersNode);
    }
    int[] sizes = new int[layersNode.size()];
    for (int i = 0; i < sizes.length; i++) {
      JsonNode s = layersNode.get(i);
      if (!s.canConvertToInt() || !s.isIntegralNumber() || s.asInt() <= 0) {
        throw fail(file, "'layers' must hold positive integers, got %s", layersNode);
      }
      sizes[i] = s.asInt();
    }
    JsonNode activationsNode = require(root, "activations", file);
    if (!activationsNode.isArray()) {
      throw fail(file, "'activations' must be an array of names, got %s", activationsNode);
    }
    List<Activation> activations = new ArrayList<>();
    for (JsonNode a : activationsNode) {
      if (!a.isTextual()) {
        throw fail(file, "'activations' must be an array of names, got %s", activationsNode);
      }
      try {
        activations.add(Activation.fromId(a.asText()));
      } catch (IllegalArgumentException e) {
        throw fail(file, "%s", e.getMessage());
      }
    }
    JsonNode lossNode = require(root, "loss", file);
    if (!lossNode.isTextual()) {
      throw fail(file, "'loss' must be a name, got %s", lossNode);
    }
    NetworkSpec spec;
    try {
      spec = NetworkSpec.of(sizes, activations, Loss.fromId(lossNode.asText()));
    } catch (IllegalArgumentException e) {
      throw fail(file, "%s", e.getMessage());
    }
    long numParams = integer(root, "num_params", file);
    if (numParams != spec.numParams()) {
      throw fail(file, "num_params is %s but layers %s have %s parameters", numParams,
          Arrays.toString(sizes), spec.numParams());
    }
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      if (!Model.RESERVED_KEYS.contains(e.getKey())) {
        metadata.put(e.getKey(), javaValue(e.getValue()));
      }
    }
    return spec;
  }

  private static JsonNode require(JsonNode root, String key, Path file) {
    JsonNode node = root.get(key);
    if (node == null) {
      throw fail(file, "missing key '%s'", key);
    }
    return node;
  }

  private static long integer(JsonNode root, String key, Path file) {
    JsonNode node = require(root, key, file);
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw fail(file, "'%s' must be an integer, got %s", key, node);
    }
    return node.asLong();
  }

  /** A parsed JSON value as the Java value {@link Model} keeps. */
  private static Object javaValue(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.properties().forEach(e -> map.put(e.getKey(), javaValue(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      node.forEach(v -> list.add(javaValue(v)));
      return list;
    }
    if (node.isNull()) {
      return null;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    return node.asText();
  }

  /** Checks the tensors against the spec and builds the model. */
  private static Model assemble(NetworkSpec spec, Map<String, Object> metadata,
      Map<String, Tensor> tensors, Path file) {
    Set<String> expected = new HashSet<>();
    double[] params = new double[spec.numParams()];
    int[] sizes = spec.sizes();
    for (int l = 0; l < spec.numLayers(); l++) {
      LayerSpec layer = spec.layer(l);
      Tensor w = tensor(tensors, weightName(l), file, expected);
      checkShape(w, weightName(l), new long[] {layer.outputs(), layer.inputs()}, file,
          "metadata.json's layers " + Arrays.toString(sizes));
      System.arraycopy(w.data(), 0, params, spec.weightOffset(l), w.data().length);
      Tensor b = tensor(tensors, biasName(l), file, expected);
      checkShape(b, biasName(l), new long[] {layer.outputs()}, file,
          "metadata.json's layers " + Arrays.toString(sizes));
      System.arraycopy(b.data(), 0, params, spec.biasOffset(l), b.data().length);
    }
    double[][] features = scalingPair(tensors, "feature", spec.inputSize(), "inputs", file,
        expected);
    double[][] labels = scalingPair(tensors, "label", spec.outputSize(), "outputs", file,
        expected);
    for (String name : tensors.keySet()) {
      if (!expected.contains(name)) {
        throw fail(file, "unexpected tensor '%s'; a model with %s layers holds "
            + "layers.{0..%s}.weight, layers.{0..%s}.bias and optional scaling.* tensors",
            name, spec.numLayers(), spec.numLayers() - 1, spec.numLayers() - 1);
      }
    }
    try {
      Scaling scaling = new Scaling(features[0], features[1], labels[0], labels[1]);
      return new Model(spec, params, scaling, metadata);
    } catch (IllegalArgumentException e) {
      throw fail(file, "%s", e.getMessage());
    }
  }

  private static Tensor tensor(Map<String, Tensor> tensors, String name, Path file,
      Set<String> expected) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw fail(file, "missing tensor '%s'", name);
    }
    expected.add(name);
    return t;
  }

  /** {mean, std} of one part of the scaling, or {null, null} if both tensors are absent. */
  private static double[][] scalingPair(Map<String, Tensor> tensors, String part, int width,
      String what, Path file, Set<String> expected) {
    String meanName = "scaling." + part + "_mean";
    String stdName = "scaling." + part + "_std";
    boolean hasMean = tensors.containsKey(meanName);
    if (hasMean != tensors.containsKey(stdName)) {
      throw fail(file, "tensor '%s' is present without '%s'", hasMean ? meanName : stdName,
          hasMean ? stdName : meanName);
    }
    if (!hasMean) {
      return new double[2][];
    }
    String layers = "the network's " + width + " " + what;
    Tensor mean = tensor(tensors, meanName, file, expected);
    checkShape(mean, meanName, new long[] {width}, file, layers);
    Tensor std = tensor(tensors, stdName, file, expected);
    checkShape(std, stdName, new long[] {width}, file, layers);
    return new double[][] {mean.data(), std.data()};
  }

  private static void checkShape(Tensor t, String name, long[] shape, Path file, String source) {
    if (!Arrays.equals(t.shape(), shape)) {
      throw fail(file, "tensor '%s' has shape %s, but %s need %s", name,
          Arrays.toString(t.shape()), source, Arrays.toString(shape));
    }
  }

  private static String weightName(int layer) {
    return "layers." + layer + ".weight";
  }

  private static String biasName(int layer) {
    return "layers." + layer + ".bias";
  }

  private static String oneLine(String text) {
    String s = text == null ? "" : text.replaceAll("\\s+", " ").trim();
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  private static ModelFormatException fail(Path file, String format, Object... args) {
    return new ModelFormatException(file + ": " + String.format(Locale.ROOT, format, args));
  }
}
