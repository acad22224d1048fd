package dev.sparkprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparkprop.io.SafeTensors.Tensor;
import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.LayerSpec;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.NetworkSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelStoreTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  // ---------------------------------------------------------------- round trip

  @ParameterizedTest
  @EnumSource(Loss.class)
  void save_thenLoad_bitExactForEachLoss(Loss loss) throws IOException {
    Model model = model(loss, 11);
    Path dir = tmp.resolve("model");

    ModelStore.save(dir, model, false);
    Model loaded = ModelStore.load(dir);

    assertEquals(model.spec(), loaded.spec());
    assertBitsEqual(model.params(), loaded.params());
    assertEquals(model.scaling(), loaded.scaling());
    assertEquals(model.metadata(), loaded.metadata());
    assertEquals(model, loaded);
    assertEquals(List.of("model"), siblings(tmp), "no temporary directory is left");
  }

  @Test
  void save_thenLoad_metadataNumbersInCanonicalForm() throws IOException {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("int", 7);
    meta.put("float", 0.1f);
    meta.put("nested", Map.of("list", List.of(1, 2.5, "x", true)));
    meta.put("none", null);
    Model model = new Model(spec(Loss.MSE), new double[spec(Loss.MSE).numParams()], null, meta);
    Path dir = tmp.resolve("m");

    ModelStore.save(dir, model, false);
    Model loaded = ModelStore.load(dir);

    assertEquals(7L, loaded.metadata().get("int"));
    assertEquals((double) 0.1f, loaded.metadata().get("float"));
    assertEquals(List.of(1L, 2.5, "x", true),
        ((Map<?, ?>) loaded.metadata().get("nested")).get("list"));
    assertTrue(loaded.metadata().containsKey("none"));
    assertNull(loaded.metadata().get("none"));
    assertEquals(model.metadata(), loaded.metadata());
    assertEquals(Scaling.NONE, loaded.scaling());
  }

  @Test
  void load_float32Export_widenedToDouble() throws IOException {
    Model withHuge = model(Loss.CROSS_ENTROPY, 5);
    double[] params = withHuge.params();
    params[2] = 1e30;  // 1e300 would overflow float
    Model model = new Model(withHuge.spec(), params, withHuge.scaling(), withHuge.metadata());
    Path dir = tmp.resolve("m");
    ModelStore.save(dir, model, false);
    // Re-export every tensor as F32, as a PyTorch model saved in float32 would be.
    Map<String, Tensor> tensors = SafeTensors.read(dir.resolve(ModelStore.TENSORS_FILE));
    LinkedHashMap<String, Tensor> f32 = new LinkedHashMap<>();
    tensors.forEach((name, t) -> f32.put(name, new Tensor("F32", t.shape(), t.data())));
    writeTensors(dir, f32);

    Model loaded = ModelStore.load(dir);

    double[] expected = model.params();
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (float) expected[i];
    }
    assertArrayEquals(expected, loaded.params());
    assertNotEquals(model, loaded);
  }

  // ---------------------------------------------------------------- the bytes on disk

  @Test
  void save_tensorsFile_matchesSafetensorsLayout() throws IOException {
    Model model = model(Loss.MSE, 3);
    NetworkSpec spec = model.spec();
    double[] params = model.params();
    Path dir = tmp.resolve("m");
    ModelStore.save(dir, model, false);
    byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));

    ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = le.getLong(0);
    long dataStart = 8 + n;
    assertEquals(0, dataStart % 8, "data section starts 8-byte aligned");
    String headerText = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertTrue(headerText.stripTrailing().length() > headerText.length() - 8);
    JsonNode header = JSON.readTree(headerText);

    assertEquals("sparkprop", header.get("__metadata__").get("format").asText());
    List<String> names = new ArrayList<>();
    header.fieldNames().forEachRemaining(names::add);
    assertEquals(List.of("__metadata__", "layers.0.weight", "layers.0.bias", "layers.1.weight",
        "layers.1.bias", "layers.2.weight", "layers.2.bias", "scaling.feature_mean",
        "scaling.feature_std", "scaling.label_mean", "scaling.label_std"), names);
    long expectedBegin = 0;
    for (String name : names.subList(1, names.size())) {
      JsonNode info = header.get(name);
      assertEquals("F64", info.get("dtype").asText(), name);
      long count = 1;
      for (JsonNode d : info.get("shape")) {
        count *= d.asLong();
      }
      assertEquals(expectedBegin, info.get("data_offsets").get(0).asLong(), name);
      assertEquals(expectedBegin + 8 * count, info.get("data_offsets").get(1).asLong(), name);
      expectedBegin += 8 * count;
    }
    assertEquals(dataStart + expectedBegin, bytes.length, "no trailing bytes");

    for (int l = 0; l < spec.numLayers(); l++) {
      LayerSpec layer = spec.layer(l);
      int in = layer.inputs();
      int out = layer.outputs();
      JsonNode w = header.get("layers." + l + ".weight");
      assertEquals("[" + out + "," + in + "]", w.get("shape").toString());
      assertEquals("[" + out + "]", header.get("layers." + l + ".bias").get("shape").toString());
      long wBegin = dataStart + w.get("data_offsets").get(0).asLong();
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < in; i++) {
          double stored = le.getDouble((int) (wBegin + 8L * (o * in + i)));
          assertEquals(Double.doubleToRawLongBits(params[spec.weightOffset(l) + o * in + i]),
              Double.doubleToRawLongBits(stored), "layer " + l + " W[" + o + "][" + i + "]");
        }
      }
      long bBegin = dataStart + header.get("layers." + l + ".bias").get("data_offsets").get(0)
          .asLong();
      for (int o = 0; o < out; o++) {
        assertEquals(params[spec.biasOffset(l) + o], le.getDouble((int) (bBegin + 8L * o)));
      }
    }
    long meanBegin = dataStart + header.get("scaling.feature_mean").get("data_offsets").get(0)
        .asLong();
    assertEquals(model.scaling().featureMean()[1], le.getDouble((int) meanBegin + 8));
  }

  @Test
  void save_metadataJson_describesNetworkAndHoldsMetadata() throws IOException {
    Model model = model(Loss.CROSS_ENTROPY, 3);
    Path dir = tmp.resolve("m");
    ModelStore.save(dir, model, false);

    String text = Files.readString(dir.resolve("metadata.json"));
    assertTrue(text.contains("\n  \"format_version\""), "pretty-printed: " + text);
    JsonNode json = JSON.readTree(text);
    List<String> keys = new ArrayList<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("format_version", "layers", "activations", "loss", "num_params", "task",
        "features", "label", "classes", "provenance"), keys);
    assertEquals(1, json.get("format_version").asInt());
    assertEquals("[5,7,4,3]", json.get("layers").toString());
    assertEquals("[\"sigmoid\",\"leaky_relu\",\"softmax\"]", json.get("activations").toString());
    assertEquals("cross_entropy", json.get("loss").asText());
    assertEquals(model.spec().numParams(), json.get("num_params").asInt());
    assertEquals("classification", json.get("task").asText());
    assertEquals(42, json.get("provenance").get("seed").asLong());
    assertEquals("classification", model.task());
  }

  // ---------------------------------------------------------------- damaged tensors file

  @Test
  void load_truncatedTensorsFile_rejectedNamingFile() throws IOException {
    Path dir = saved(Loss.MSE);
    Path file = dir.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    int dataStart = (int) (8 + n);
    int[] cuts = {0, 3, 7, 8, 8 + (int) n / 2, dataStart - 1, dataStart, dataStart + 12,
        bytes.length - 1};
    for (int cut : cuts) {
      Files.write(file, Arrays.copyOf(bytes, cut));
      ModelFormatException e = assertThrows(ModelFormatException.class,
          () -> ModelStore.load(dir), "cut at " + cut);
      String expected = cut < 8 ? ": file is " + cut + " bytes, shorter than the 8-byte header "
          + "length; it is truncated or not a safetensors file"
          : cut < dataStart ? ": header length " + n + " is larger than the file (" + cut
              + " bytes); it is truncated or not a safetensors file"
          : "; the file is truncated";
      assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
      assertTrue(e.getMessage().endsWith(expected), "cut at " + cut + ": " + e.getMessage());
    }
  }

  @Test
  void load_garbageHeader_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    Path file = dir.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(file);
    Arrays.fill(bytes, 8, 40, (byte) '#');
    Files.write(file, bytes);

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertTrue(e.getMessage().startsWith(file + ": header is not valid JSON (Unexpected "
        + "character ('#'"), e.getMessage());

    new Random(1).nextBytes(bytes);
    Files.write(file, bytes);
    e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertTrue(e.getMessage().startsWith(file + ": header length "), e.getMessage());
  }

  @Test
  void load_nonUtf8Header_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    Path file = dir.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(file);
    bytes[20] = (byte) 0xc3;
    bytes[21] = (byte) 0x28;
    Files.write(file, bytes);

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(file + ": header is not valid UTF-8; the file is corrupt or not a safetensors "
        + "file", e.getMessage());
  }

  @Test
  void load_wrongDtype_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    Path file = dir.resolve("model.safetensors");
    rewriteHeader(file, h -> ((ObjectNode) h.get("layers.1.weight")).put("dtype", "F16"));

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(file + ": tensor 'layers.1.weight' has dtype F16; sparkprop reads only F64 "
        + "and F32", e.getMessage());
  }

  @Test
  void load_transposedWeightShape_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    Path file = dir.resolve("model.safetensors");
    rewriteHeader(file, h -> ((ObjectNode) h.get("layers.0.weight")).set("shape",
        JSON.createArrayNode().add(5).add(7)));

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(file + ": tensor 'layers.0.weight' has shape [5, 7], but metadata.json's layers "
        + "[5, 7, 4, 3] need [7, 5]", e.getMessage());
  }

  @Test
  void load_wrongScalingShape_rejected() throws IOException {
    Model model = model(Loss.MSE, 2);
    Path dir = tmp.resolve("m");
    ModelStore.save(dir, model, false);
    LinkedHashMap<String, Tensor> tensors =
        new LinkedHashMap<>(SafeTensors.read(dir.resolve(ModelStore.TENSORS_FILE)));
    tensors.put("scaling.label_std", Tensor.f64(new double[] {1, 2}, 2));
    writeTensors(dir, tensors);

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("model.safetensors") + ": tensor 'scaling.label_std' has shape [2], "
        + "but the network's 3 outputs need [3]", e.getMessage());
  }

  @Test
  void load_offsetsNotMatchingShape_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    Path file = dir.resolve("model.safetensors");
    rewriteHeader(file, h -> ((ObjectNode) h.get("layers.2.bias")).set("shape",
        JSON.createArrayNode().add(2)));

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertTrue(e.getMessage().startsWith(file + ": tensor 'layers.2.bias' has data_offsets ["),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("spanning 24 bytes, but shape [2] of F64 needs 16"),
        e.getMessage());
  }

  @Test
  void load_missingTensor_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    LinkedHashMap<String, Tensor> tensors =
        new LinkedHashMap<>(SafeTensors.read(dir.resolve(ModelStore.TENSORS_FILE)));
    tensors.remove("layers.1.bias");
    writeTensors(dir, tensors);

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("model.safetensors") + ": missing tensor 'layers.1.bias'",
        e.getMessage());
  }

  @Test
  void load_halfOfScalingPair_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    LinkedHashMap<String, Tensor> tensors =
        new LinkedHashMap<>(SafeTensors.read(dir.resolve(ModelStore.TENSORS_FILE)));
    tensors.remove("scaling.feature_std");
    writeTensors(dir, tensors);

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("model.safetensors") + ": tensor 'scaling.feature_mean' is present "
        + "without 'scaling.feature_std'", e.getMessage());
  }

  @Test
  void load_unexpectedTensor_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    LinkedHashMap<String, Tensor> tensors =
        new LinkedHashMap<>(SafeTensors.read(dir.resolve(ModelStore.TENSORS_FILE)));
    tensors.put("layers.3.weight", Tensor.f64(new double[] {1}, 1, 1));
    writeTensors(dir, tensors);

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("model.safetensors") + ": unexpected tensor 'layers.3.weight'; a "
        + "model with 3 layers holds layers.{0..2}.weight, layers.{0..2}.bias and optional "
        + "scaling.* tensors", e.getMessage());
  }

  @Test
  void load_nonFiniteParameter_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    LinkedHashMap<String, Tensor> tensors =
        new LinkedHashMap<>(SafeTensors.read(dir.resolve(ModelStore.TENSORS_FILE)));
    tensors.get("layers.0.bias").data()[1] = Double.NaN;
    writeTensors(dir, tensors);

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    int index = spec(Loss.MSE).biasOffset(0) + 1;
    assertEquals(dir.resolve("model.safetensors") + ": parameter " + index + " is NaN; a model "
        + "must be finite", e.getMessage());
  }

  // ---------------------------------------------------------------- missing files, metadata.json

  @Test
  void load_missingFilesOrDirectory_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    Files.delete(dir.resolve("model.safetensors"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("model.safetensors") + ": file not found; a model directory holds "
        + "metadata.json and model.safetensors", e.getMessage());

    Files.delete(dir.resolve("metadata.json"));
    e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("metadata.json") + ": file not found; a model directory holds "
        + "metadata.json and model.safetensors", e.getMessage());

    Path absent = tmp.resolve("absent");
    e = assertThrows(ModelFormatException.class, () -> ModelStore.load(absent));
    assertEquals("model directory '" + absent + "' does not exist", e.getMessage());

    Path file = Files.writeString(tmp.resolve("file"), "x");
    e = assertThrows(ModelFormatException.class, () -> ModelStore.load(file));
    assertEquals("'" + file + "' is not a directory; a model directory holds metadata.json and "
        + "model.safetensors", e.getMessage());
  }

  @Test
  void load_missingMetadataJsonOnly_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    Files.delete(dir.resolve("metadata.json"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("metadata.json") + ": file not found; a model directory holds "
        + "metadata.json and model.safetensors", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"format_version", "layers", "activations", "loss", "num_params"})
  void load_metadataMissingKey_rejected(String key) throws IOException {
    Path dir = saved(Loss.MSE);
    editMetadata(dir, json -> json.remove(key));

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("metadata.json") + ": missing key '" + key + "'", e.getMessage());
  }

  @Test
  void load_unknownActivation_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    editMetadata(dir, json -> ((ArrayNode) json.get("activations")).set(1, "swish"));

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("metadata.json") + ": unknown activation 'swish', expected one of "
        + "sigmoid, tanh, relu, leaky_relu, identity, softmax", e.getMessage());
  }

  @Test
  void load_unknownLoss_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    editMetadata(dir, json -> json.put("loss", "hinge"));

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("metadata.json") + ": unknown loss 'hinge', expected one of mse, "
        + "cross_entropy, binary_cross_entropy", e.getMessage());
  }

  @Test
  void load_inconsistentNetwork_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    editMetadata(dir, json -> json.put("loss", "cross_entropy"));

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("metadata.json") + ": loss cross_entropy needs a softmax output "
        + "layer, got identity; use softmax, or binary_cross_entropy with a sigmoid output",
        e.getMessage());
  }

  @Test
  void load_unsupportedFormatVersion_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    editMetadata(dir, json -> json.put("format_version", 2));

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("metadata.json") + ": unsupported format_version 2; this sparkprop "
        + "reads format_version 1", e.getMessage());
  }

  @Test
  void load_numParamsMismatch_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    editMetadata(dir, json -> json.put("num_params", 12));

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("metadata.json") + ": num_params is 12 but layers [5, 7, 4, 3] have "
        + spec(Loss.MSE).numParams() + " parameters", e.getMessage());
  }

  @Test
  void load_badLayerSizes_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    editMetadata(dir, json -> ((ArrayNode) json.get("layers")).set(1, 0));

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("metadata.json") + ": 'layers' must hold positive integers, got "
        + "[5,0,4,3]", e.getMessage());
  }

  @Test
  void load_metadataNotJson_rejected() throws IOException {
    Path dir = saved(Loss.MSE);
    Files.writeString(dir.resolve("metadata.json"), "{\"format_version\": 1,");

    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("metadata.json") + ": not valid JSON ("),
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"));

    Files.writeString(dir.resolve("metadata.json"), "[1]");
    e = assertThrows(ModelFormatException.class, () -> ModelStore.load(dir));
    assertEquals(dir.resolve("metadata.json") + ": expected a JSON object", e.getMessage());
  }

  // ---------------------------------------------------------------- atomic save, overwrite

  @Test
  void save_existingWithoutOverwrite_failsAndKeepsOld() throws IOException {
    Model old = model(Loss.MSE, 1);
    Path dir = tmp.resolve("out");
    ModelStore.save(dir, old, false);

    assertSaveRefusedKeeping(dir, old);
  }

  /** A save without overwrite into {@code dir} is refused; {@code old} stays, alone. */
  private void assertSaveRefusedKeeping(Path dir, Model old) throws IOException {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelStore.save(dir, model(Loss.MSE, 2), false));
    assertEquals("output '" + dir + "' already exists; pass --overwrite to replace it",
        e.getMessage());
    assertEquals(old, ModelStore.load(dir));
    assertEquals(List.of("out"), siblings(tmp));
  }

  @Test
  void killedBetweenTheTwoRenames_previousModelIsPutBack() throws Exception {
    // A replace moves the old model aside, then the new one in. A run killed between the two
    // leaves only the hidden .old sibling; loading and the next save put it back.
    Model old = model(Loss.MSE, 1);
    Path dir = tmp.resolve("out");
    ModelStore.save(dir, old, false);
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    Path aside = tmp.resolve(".out.old-" + p.pid() + "@" + HiddenSiblings.HOST + "-00ff");
    Files.move(dir, aside);

    assertEquals(old, ModelStore.load(dir));
    assertEquals(List.of("out"), siblings(tmp));

    Files.move(dir, aside);
    assertSaveRefusedKeeping(dir, old);
  }

  @Test
  void save_existingWithOverwrite_replaces() throws IOException {
    Path dir = tmp.resolve("out");
    ModelStore.save(dir, model(Loss.MSE, 1), false);
    Model replacement = model(Loss.CROSS_ENTROPY, 2);

    ModelStore.save(dir, replacement, true);

    assertEquals(replacement, ModelStore.load(dir));
    assertEquals(List.of("out"), siblings(tmp));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("metadata.json", "model.safetensors"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void save_fileUri_writtenThroughHadoopAndLoadsBackEqual() throws IOException {
    Path dir = tmp.resolve("uri/model");
    String uri = dir.toUri().toString(); // file:///...
    assertTrue(uri.startsWith("file:/"), uri);
    Model model = model(Loss.CROSS_ENTROPY, 3);
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();

    ModelStore.save(conf, uri, model, false, Map.of("history.csv", "epoch\n1\n".getBytes(
        StandardCharsets.UTF_8)));

    assertEquals(model, ModelStore.load(conf, uri));
    assertEquals(model, ModelStore.load(dir));
    // Hadoop's checksummed local file system would add .crc files: the raw one writes none.
    assertEquals(List.of("history.csv", ModelStore.METADATA_FILE, ModelStore.TENSORS_FILE),
        siblings(dir));
    assertEquals(List.of("model"), siblings(dir.getParent()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelStore.save(conf, uri, model, false, Map.of()));
    assertEquals("output '" + uri + "' already exists; pass --overwrite to replace it",
        e.getMessage());
    ModelStore.save(conf, uri, model(Loss.CROSS_ENTROPY, 4), true, Map.of());
    assertEquals(model(Loss.CROSS_ENTROPY, 4), ModelStore.load(conf, uri));
    assertEquals(List.of("model"), siblings(dir.getParent()));
  }

  @Test
  void load_missingFileUri_namesIt() {
    String uri = tmp.resolve("absent").toUri().toString();
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> ModelStore.load(new org.apache.hadoop.conf.Configuration(), uri));
    assertEquals("model directory '" + uri + "' does not exist", e.getMessage());
  }

  @Test
  void save_newDirectoryWithOverwrite_createsParents() throws IOException {
    Path dir = tmp.resolve("a/b/out");
    Model model = model(Loss.BINARY_CROSS_ENTROPY, 1);

    ModelStore.save(dir, model, true);

    assertEquals(model, ModelStore.load(dir));
    assertEquals(List.of("out"), siblings(dir.getParent()));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void save_failureBeforeMove_leavesOldModelAndNoTemporaryDirectory(boolean existing)
      throws IOException {
    Path dir = tmp.resolve("out");
    Model old = model(Loss.MSE, 1);
    if (existing) {
      ModelStore.save(dir, old, false);
    }
    List<Path> seen = new ArrayList<>();

    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> ModelStore.save(dir, model(Loss.MSE, 2), true, Map.of(), t -> {
          seen.add(t);
          throw new UncheckedIOException(new IOException("disk full"));
        }));

    assertEquals("disk full", e.getCause().getMessage());
    assertEquals(1, seen.size());
    assertTrue(seen.get(0).getFileName().toString().startsWith(".out.tmp-"), seen.toString());
    assertEquals(existing ? List.of("out") : List.of(), siblings(tmp));
    if (existing) {
      assertEquals(old, ModelStore.load(dir));
    }
  }

  @Test
  void save_targetCreatedDuringSave_failsWithoutOverwriteAndCleansUp() throws IOException {
    Path dir = tmp.resolve("out");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelStore.save(dir, model(Loss.MSE, 2), false, Map.of(), t -> {
          try {
            Files.createDirectory(dir);
            Files.writeString(dir.resolve("other"), "someone else's");
          } catch (IOException x) {
            throw new UncheckedIOException(x);
          }
        }));

    assertEquals("output '" + dir + "' already exists; pass --overwrite to replace it",
        e.getMessage());
    assertEquals(List.of("out"), siblings(tmp));
    assertEquals("someone else's", Files.readString(dir.resolve("other")));
  }

  @Test
  void save_extraFiles_writtenWithModelAndIgnoredByLoad() throws IOException {
    Path dir = tmp.resolve("out");
    Model model = model(Loss.MSE, 1);

    ModelStore.save(dir, model, false, Map.of("history.csv", "epoch,loss\n1,0.5\n"
        .getBytes(StandardCharsets.UTF_8)));

    assertEquals("epoch,loss\n1,0.5\n", Files.readString(dir.resolve("history.csv")));
    assertEquals(model, ModelStore.load(dir));
    for (String bad : List.of("metadata.json", "model.safetensors", ".hidden", "a/b", "")) {
      assertMessage("bad extra model file name '" + bad + "'",
          () -> save(tmp.resolve("other"), model, Map.of(bad, new byte[0])));
    }
    assertEquals(List.of("out"), siblings(tmp));
  }

  @Test
  void save_overwriteDirectoryThatIsNoModel_refused() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("home"));
    Files.writeString(dir.resolve("notes.txt"), "keep me");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelStore.save(dir, model(Loss.MSE, 1), true));

    assertEquals("output '" + dir + "' exists but is not a model directory (a model directory "
        + "holds metadata.json and model.safetensors); refusing to replace it", e.getMessage());
    assertEquals("keep me", Files.readString(dir.resolve("notes.txt")));
    assertEquals(List.of("home"), siblings(tmp));
  }

  // ---------------------------------------------------------------- Model and Scaling checks

  @Test
  void model_invalidArguments_rejectedWithMessage() {
    NetworkSpec mse = spec(Loss.MSE);
    double[] params = new double[mse.numParams()];
    assertMessage("parameter vector has 3 values, the network needs " + mse.numParams(),
        () -> new Model(mse, new double[3], null, null));
    double[] inf = params.clone();
    inf[4] = Double.POSITIVE_INFINITY;
    assertMessage("parameter 4 is Infinity; a model must be finite",
        () -> new Model(mse, inf, null, null));
    assertMessage("metadata key 'layers' is reserved for the network description",
        () -> new Model(mse, params, null, Map.of("layers", 1)));
    assertMessage("metadata value 'provenance.when' is a java.lang.Object; use String, Boolean, "
        + "a number, List or Map",
        () -> new Model(mse, params, null, Map.of("provenance", Map.of("when", new Object()))));
    assertMessage("metadata value 'x[1]' is NaN; JSON holds only finite numbers",
        () -> new Model(mse, params, null, Map.of("x", List.of(1.0, Double.NaN))));
    assertMessage("feature scaling has 2 values but the network has 5 inputs",
        () -> new Model(mse, params, Scaling.ofFeatures(new double[2], new double[] {1, 1}),
            null));
    NetworkSpec ce = spec(Loss.CROSS_ENTROPY);
    assertMessage("label scaling applies to regression (loss mse) only, not cross_entropy",
        () -> new Model(ce, new double[ce.numParams()],
            new Scaling(null, null, new double[3], new double[] {1, 1, 1}), null));
  }

  @Test
  void model_params_copiedInAndOut() {
    NetworkSpec mse = spec(Loss.MSE);
    double[] params = new double[mse.numParams()];
    Model model = new Model(mse, params, null, null);
    params[0] = 1;
    model.params()[1] = 1;
    assertArrayEquals(new double[mse.numParams()], model.params());
    assertThrows(UnsupportedOperationException.class, () -> model.metadata().put("a", 1));
  }

  @Test
  void scaling_invalid_rejectedWithMessage() {
    assertMessage("feature scaling needs both mean and std, or neither",
        () -> new Scaling(new double[1], null, null, null));
    assertMessage("label scaling has 2 means but 1 stds",
        () -> new Scaling(null, null, new double[2], new double[] {1}));
    assertMessage("feature std 1 is 0.0, must be finite and > 0",
        () -> Scaling.ofFeatures(new double[2], new double[] {1, 0}));
    assertMessage("feature std 0 is Infinity, must be finite and > 0",
        () -> Scaling.ofFeatures(new double[1], new double[] {Double.POSITIVE_INFINITY}));
    assertMessage("label mean 0 is NaN, must be finite",
        () -> new Scaling(null, null, new double[] {Double.NaN}, new double[] {1}));
    assertMessage("feature scaling is empty", () -> Scaling.ofFeatures(new double[0],
        new double[0]));
  }

  // ---------------------------------------------------------------- helpers

  /** sizes [5, 7, 4, 3] with mixed activations; the output activation suits {@code loss}. */
  private static NetworkSpec spec(Loss loss) {
    Activation output = switch (loss) {
      case MSE -> Activation.IDENTITY;
      case CROSS_ENTROPY -> Activation.SOFTMAX;
      case BINARY_CROSS_ENTROPY -> Activation.SIGMOID;
    };
    Activation first = loss == Loss.MSE ? Activation.TANH : Activation.SIGMOID;
    return NetworkSpec.of(new int[] {5, 7, 4, 3},
        List.of(first, loss == Loss.MSE ? Activation.RELU : Activation.LEAKY_RELU, output), loss);
  }

  /** A model with awkward parameter values (negative zero, subnormal, huge) and metadata. */
  private static Model model(Loss loss, long seed) {
    NetworkSpec spec = spec(loss);
    Random random = new Random(seed);
    double[] params = new double[spec.numParams()];
    for (int i = 0; i < params.length; i++) {
      params[i] = random.nextGaussian();
    }
    params[0] = -0.0;
    params[1] = Double.MIN_VALUE;
    params[2] = 1e300;
    params[3] = 0.1 + 0.2;
    double[] mean = random.doubles(5, -3, 3).toArray();
    double[] std = random.doubles(5, 0.1, 2).toArray();
    Scaling scaling = loss == Loss.MSE
        ? new Scaling(mean, std, new double[] {1.5, -2, 1e-3}, new double[] {0.5, 3, 1e-7})
        : loss == Loss.CROSS_ENTROPY ? Scaling.ofFeatures(mean, std) : Scaling.NONE;
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("task", loss == Loss.MSE ? "regression" : "classification");
    meta.put("features", List.of("x1", "x2", "x3", "x4", "x5"));
    meta.put("label", "y");
    meta.put("classes", loss == Loss.CROSS_ENTROPY ? List.of("a", "b", "c") : null);
    Map<String, Object> provenance = new LinkedHashMap<>();
    provenance.put("sparkprop", "0.1.0-SNAPSHOT");
    provenance.put("spark", "4.2.0");
    provenance.put("java", "17.0.15");
    provenance.put("seed", 42L);
    provenance.put("config", Map.of("learning_rate", 0.1, "epochs", 200, "batch_rows", 1024));
    provenance.put("trained_at", "2025-01-02T03:04:05Z");
    meta.put("provenance", provenance);
    return new Model(spec, params, scaling, meta);
  }

  private Path saved(Loss loss) throws IOException {
    Path dir = tmp.resolve("saved");
    ModelStore.save(dir, model(loss, 9), false);
    return dir;
  }

  private static void save(Path dir, Model model, Map<String, byte[]> extraFiles) {
    try {
      ModelStore.save(dir, model, false, extraFiles);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeTensors(Path dir, LinkedHashMap<String, Tensor> tensors)
      throws IOException {
    try (OutputStream out = Files.newOutputStream(dir.resolve(ModelStore.TENSORS_FILE))) {
      SafeTensors.write(out, tensors, Map.of("format", "sparkprop"));
    }
  }

  /** Re-writes a safetensors file's header after {@code edit}, keeping its data bytes. */
  private static void rewriteHeader(Path file, Consumer<ObjectNode> edit) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int n = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    ObjectNode header = (ObjectNode) JSON.readTree(new String(bytes, 8, n,
        StandardCharsets.UTF_8));
    edit.accept(header);
    byte[] json = JSON.writeValueAsBytes(header);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
    out.write(json);
    out.write(bytes, 8 + n, bytes.length - 8 - n);
    Files.write(file, out.toByteArray());
  }

  private static void editMetadata(Path dir, Consumer<ObjectNode> edit) throws IOException {
    Path file = dir.resolve(ModelStore.METADATA_FILE);
    ObjectNode json = (ObjectNode) JSON.readTree(file.toFile());
    edit.accept(json);
    JSON.writeValue(file.toFile(), json);
  }

  /** Names in {@code dir}, hidden ones included, sorted. */
  private static List<String> siblings(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void assertBitsEqual(double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
          "parameter " + i);
    }
  }

  private static void assertMessage(String expected, Runnable action) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
    assertEquals(expected, e.getMessage());
  }
}
