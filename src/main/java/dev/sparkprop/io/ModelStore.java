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
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

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
 * A save is atomic: the files are written and synced in a hidden sibling directory that is then
 * renamed into place, so a reader never sees a half-written model. Every problem found on
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
  public static void save(Path dir, Model model, boolean overwrite) throws IOException {
    save(dir, model, overwrite, Map.of(), tmp -> { });
  }

  /**
   * {@link #save(Path, Model, boolean)} with further files (the training history, say) written
   * and synced into the model directory before it is moved into place, so they appear together
   * with it. Names are plain file names, neither hidden nor one of the model's own files.
   */
  public static void save(Path dir, Model model, boolean overwrite, Map<String, byte[]> extraFiles)
      throws IOException {
    save(dir, model, overwrite, extraFiles, tmp -> { });
  }

  /** The save, calling {@code beforeMove} with the fully written temporary directory (tests). */
  static void save(Path dir, Model model, boolean overwrite, Map<String, byte[]> extraFiles,
      Consumer<Path> beforeMove) throws IOException {
    for (String name : extraFiles.keySet()) {
      Checks.arg(!name.isEmpty() && !name.equals(TENSORS_FILE) && !name.equals(METADATA_FILE)
          && !name.contains("/") && !name.contains("\\") && !name.startsWith("."),
          "bad extra model file name '%s'", name);
    }
    Objects.requireNonNull(model, "model");
    Path target = dir.toAbsolutePath().normalize();
    Checks.arg(target.getFileName() != null, "output '%s' must name a directory", dir);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      Checks.arg(overwrite, "output '%s' already exists; pass --overwrite to replace it", dir);
      checkReplaceable(target, dir);
    }
    Path parent = target.getParent();
    Files.createDirectories(parent);
    String hidden = "." + target.getFileName() + ".";
    Path tmp = parent.resolve(hidden + "tmp-" + randomSuffix());
    Files.createDirectory(tmp);
    Path old = null;
    boolean moved = false;
    try {
      writeTensors(tmp.resolve(TENSORS_FILE), model);
      writeMetadata(tmp.resolve(METADATA_FILE), model);
      for (Map.Entry<String, byte[]> e : extraFiles.entrySet()) {
        writeSynced(tmp.resolve(e.getKey()), e.getValue());
      }
      syncDirectory(tmp);
      beforeMove.accept(tmp);
      if (overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        old = parent.resolve(hidden + "old-" + randomSuffix());
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
          try {
            Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
          } catch (IOException restore) {
            throw new IOException("could not replace '" + dir + "' (" + e + ") nor move the "
                + "previous model back; it is at '" + old + "'", e);
          }
          throw e;
        }
      } else {
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            // Created by someone else since the check above (rename reports ENOTEMPTY as a
            // plain FileSystemException).
            throw new IllegalArgumentException("output '" + dir + "' already exists; pass "
                + "--overwrite to replace it", e);
          }
          throw e;
        }
      }
      moved = true;
      syncDirectory(parent);
    } finally {
      if (!moved) {
        deleteQuietly(tmp);
      }
    }
    if (old != null) {
      try {
        deleteRecursively(old);
      } catch (IOException e) {
        throw new IOException("saved the model to '" + dir + "' but could not delete the "
            + "previous one at '" + old + "': " + e, e);
      }
    }
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
  public static Model load(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      throw new ModelFormatException("model directory '" + dir + "' does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw new ModelFormatException("'" + dir + "' is not a directory; " + HOLDS);
    }
    Path metadataFile = dir.resolve(METADATA_FILE);
    Path tensorsFile = dir.resolve(TENSORS_FILE);
    for (Path file : List.of(metadataFile, tensorsFile)) {
      if (!Files.isRegularFile(file)) {
        throw fail(file, "file not found; %s", HOLDS);
      }
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    NetworkSpec spec = readMetadata(metadataFile, metadata);
    Map<String, Tensor> tensors = SafeTensors.read(tensorsFile);
    return assemble(spec, metadata, tensors, tensorsFile);
  }

  // ---------------------------------------------------------------- writing

  private static void writeTensors(Path file, Model model) throws IOException {
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
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
      SafeTensors.write(out, tensors, header);
      out.flush();
      channel.force(true);
    }
  }

  private static void writeMetadata(Path file, Model model) throws IOException {
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
    writeSynced(file, text);
  }

  /** Writes a new file and forces it to the disk. */
  private static void writeSynced(Path file, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      channel.force(true);
    }
  }

  /** Refuses to replace anything but a model directory (or an empty one). */
  private static void checkReplaceable(Path target, Path dir) throws IOException {
    boolean model = Files.isDirectory(target)
        && (Files.exists(target.resolve(METADATA_FILE)) || Files.exists(target.resolve(TENSORS_FILE))
            || isEmptyDirectory(target));
    Checks.arg(model, "output '%s' exists but is not a model directory (%s); refusing to "
        + "replace it", dir, HOLDS);
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    }
  }

  private static String randomSuffix() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
  }

  /** Makes a rename or new files in {@code dir} durable; a no-op where directories cannot be synced. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Windows cannot open a directory; the files themselves were synced.
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      deleteRecursively(dir);
    } catch (IOException e) {
      // best effort while another exception propagates
    }
  }

  /** Deletes {@code dir} and its contents without following symbolic links. */
  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  // ---------------------------------------------------------------- reading

  /** Parses metadata.json into a spec, putting its other keys into {@code metadata}. */
  private static NetworkSpec readMetadata(Path file, Map<String, Object> metadata)
      throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
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
