package dev.sparkprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparkprop.io.SafeTensors.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SRC = "safetensors data: ";

  @TempDir
  Path tmp;

  @Test
  void write_thenRead_bitExactInOrder() throws IOException {
    LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("b.matrix", Tensor.f64(new double[] {
        -0.0, Double.MIN_VALUE, Double.MAX_VALUE, 0.1 + 0.2, -1e-300, Math.PI}, 2, 3));
    tensors.put("a.scalar", Tensor.f64(new double[] {42.5}));
    tensors.put("c.empty", Tensor.f64(new double[0], 0, 4));
    tensors.put("d.vector", Tensor.f64(randomValues(1000, 1), 1000));
    byte[] bytes = write(tensors, Map.of("format", "test"));

    Map<String, Tensor> read = SafeTensors.read(bytes);

    assertEquals(new ArrayList<>(tensors.keySet()), new ArrayList<>(read.keySet()));
    for (String name : tensors.keySet()) {
      assertEquals(tensors.get(name), read.get(name), name);
    }
    assertEquals(Double.doubleToRawLongBits(-0.0),
        Double.doubleToRawLongBits(read.get("b.matrix").data()[0]));
  }

  @Test
  void write_anyHeaderLength_dataStartsAt8ByteBoundaryAfterSpaces() throws IOException {
    for (int nameLength = 1; nameLength <= 16; nameLength++) {
      LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
      tensors.put("x".repeat(nameLength), Tensor.f64(new double[] {1, 2}, 2));
      byte[] bytes = write(tensors, null);

      long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertEquals(0, (8 + n) % 8, "name length " + nameLength);
      assertEquals(8 + n + 16, bytes.length);
      String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
      String json = header.stripTrailing();
      assertTrue(json.endsWith("}"));
      assertEquals(" ".repeat(header.length() - json.length()), header.substring(json.length()));
      assertTrue(header.length() - json.length() < 8);
      JsonNode parsed = JSON.readTree(json);
      assertEquals(1, parsed.size(), "no __metadata__ when none is given");
      assertEquals(1.0, ByteBuffer.wrap(bytes, (int) (8 + n), 8).order(ByteOrder.LITTLE_ENDIAN)
          .getDouble());
    }
  }

  @Test
  void write_metadata_storedAsStringMapFirst() throws IOException {
    LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("w", Tensor.f64(new double[] {1}, 1));
    byte[] bytes = write(tensors, Map.of("format", "sparkprop"));

    JsonNode header = header(bytes);
    Iterator<String> names = header.fieldNames();
    assertEquals("__metadata__", names.next());
    assertEquals("sparkprop", header.get("__metadata__").get("format").asText());
    assertEquals("[0,8]", header.get("w").get("data_offsets").toString());
  }

  @Test
  void read_handMadeF64AndF32_littleEndianRowMajor() throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.set("f32", tensorInfo("F32", "[2,2]", 0, 16));
    header.set("f64", tensorInfo("F64", "[3]", 16, 40));
    ByteBuffer data = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    data.putFloat(1.5f).putFloat(-2.25f).putFloat(0.1f).putFloat(3e38f);
    data.putDouble(0.1).putDouble(-7).putDouble(1e-310);
    byte[] bytes = assemble(JSON.writeValueAsBytes(header), data.array());

    Map<String, Tensor> read = SafeTensors.read(bytes);

    Tensor f32 = read.get("f32");
    assertEquals("F32", f32.dtype());
    assertArrayEquals(new long[] {2, 2}, f32.shape());
    assertArrayEquals(new double[] {1.5, -2.25, (double) 0.1f, (double) 3e38f}, f32.data());
    assertArrayEquals(new double[] {0.1, -7, 1e-310}, read.get("f64").data());
  }

  @Test
  void write_f32Tensor_roundsToFloat() throws IOException {
    LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("w", new Tensor("F32", new long[] {3}, new double[] {0.1, 1.0 / 3, -2}));
    byte[] bytes = write(tensors, null);

    assertEquals("[0,12]", header(bytes).get("w").get("data_offsets").toString());
    assertArrayEquals(new double[] {0.1f, 1.0f / 3, -2}, SafeTensors.read(bytes).get("w").data());
  }

  @Test
  void read_path_streamsLargeTensorAcrossChunks() throws IOException {
    LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("big", Tensor.f64(randomValues(50_000, 2), 250, 200));
    tensors.put("small", new Tensor("F32", new long[] {20_001}, floats(20_001)));
    Path file = tmp.resolve("t.safetensors");
    Files.write(file, write(tensors, null));

    assertEquals(tensors, SafeTensors.read(file));
  }

  @Test
  void read_shorterThanLength_rejected() {
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(new byte[5]));
    assertEquals(SRC + "file is 5 bytes, shorter than the 8-byte header length; it is "
        + "truncated or not a safetensors file", e.getMessage());
  }

  @Test
  void read_headerLengthPastEnd_rejected() {
    byte[] bytes = assemble("{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
    bytes[0] = 100;
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(bytes));
    assertEquals(SRC + "header length 100 is larger than the file (10 bytes); it is truncated "
        + "or not a safetensors file", e.getMessage());
  }

  @Test
  void read_headerLengthAbove2To63_rejectedAsUnsigned() {
    byte[] bytes = assemble("{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
    bytes[7] = (byte) 0x80;
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(bytes));
    assertTrue(e.getMessage().startsWith(SRC + "header length 9223372036854775810 is larger"),
        e.getMessage());
  }

  @Test
  void read_invalidUtf8Header_rejected() {
    byte[] bytes = assemble(new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'}, new byte[0]);
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(bytes));
    assertEquals(SRC + "header is not valid UTF-8; the file is corrupt or not a safetensors file",
        e.getMessage());
  }

  @Test
  void read_invalidJson_rejectedWithParserReason() {
    byte[] bytes = assemble("{\"w\": [1,".getBytes(StandardCharsets.UTF_8), new byte[0]);
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(bytes));
    assertTrue(e.getMessage().startsWith(SRC + "header is not valid JSON ("), e.getMessage());
    assertTrue(e.getMessage().endsWith("); the file is corrupt or not a safetensors file"));
    assertTrue(!e.getMessage().contains("\n"), "one line");

    byte[] trailing = assemble("{}{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
    e = assertThrows(ModelFormatException.class, () -> SafeTensors.read(trailing));
    assertTrue(e.getMessage().startsWith(SRC + "header is not valid JSON ("), e.getMessage());
  }

  @Test
  void read_headerNotObject_rejected() {
    byte[] bytes = assemble("[1, 2]".getBytes(StandardCharsets.UTF_8), new byte[0]);
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(bytes));
    assertEquals(SRC + "header is not a JSON object; the file is corrupt or not a safetensors "
        + "file", e.getMessage());
  }

  @Test
  void read_duplicateTensorName_rejected() {
    byte[] bytes = assemble(("{\"w\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]},"
        + "\"w\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]}}")
        .getBytes(StandardCharsets.UTF_8), new byte[8]);
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(bytes));
    assertTrue(e.getMessage().contains("Duplicate field 'w'"), e.getMessage());
  }

  @Test
  void read_unsupportedDtype_rejected() throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.set("w", tensorInfo("BF16", "[2]", 0, 4));
    byte[] bytes = assemble(JSON.writeValueAsBytes(header), new byte[4]);
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(bytes));
    assertEquals(SRC + "tensor 'w' has dtype BF16; sparkprop reads only F64 and F32",
        e.getMessage());
  }

  @Test
  void read_spanNotShapeTimesElementSize_rejected() throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.set("w", tensorInfo("F64", "[2,3]", 0, 40));
    byte[] bytes = assemble(JSON.writeValueAsBytes(header), new byte[40]);
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(bytes));
    assertEquals(SRC + "tensor 'w' has data_offsets [0, 40] spanning 40 bytes, but shape [2, 3] "
        + "of F64 needs 48", e.getMessage());
  }

  @Test
  void read_offsetsPastData_rejectedAsTruncated() throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.set("w", tensorInfo("F64", "[3]", 0, 24));
    byte[] bytes = assemble(JSON.writeValueAsBytes(header), new byte[20]);
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(bytes));
    assertEquals(SRC + "tensor 'w' has data_offsets [0, 24] past the end of the data section "
        + "(20 bytes); the file is truncated", e.getMessage());
  }

  @Test
  void read_badOffsetsOrShape_rejected() throws IOException {
    String[][] cases = {
        {"[8,0]", "[0]", "tensor 'w' has invalid data_offsets [8,0]; expected [begin, end] with "
            + "0 <= begin <= end"},
        {"[0]", "[0]", "tensor 'w' has invalid data_offsets [0]; expected [begin, end] with "
            + "0 <= begin <= end"},
        {"[0,8]", "[-1]", "tensor 'w' has an invalid shape [-1]; expected an array of integers "
            + ">= 0"},
        {"[0,8]", "[1.5]", "tensor 'w' has an invalid shape [1.5]; expected an array of "
            + "integers >= 0"},
    };
    for (String[] c : cases) {
      byte[] bytes = assemble(("{\"w\":{\"dtype\":\"F64\",\"shape\":" + c[1]
          + ",\"data_offsets\":" + c[0] + "}}").getBytes(StandardCharsets.UTF_8), new byte[8]);
      ModelFormatException e = assertThrows(ModelFormatException.class,
          () -> SafeTensors.read(bytes));
      assertEquals(SRC + c[2], e.getMessage());
    }
  }

  @Test
  void read_gapOrOverlapBetweenTensors_rejected() throws IOException {
    ObjectNode gap = JSON.createObjectNode();
    gap.set("a", tensorInfo("F64", "[1]", 0, 8));
    gap.set("b", tensorInfo("F64", "[1]", 16, 24));
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(assemble(JSON.writeValueAsBytes(gap), new byte[24])));
    assertEquals(SRC + "tensor 'b' starts at data offset 16, expected 8: tensors must cover the "
        + "data section without gaps or overlaps", e.getMessage());

    ObjectNode overlap = JSON.createObjectNode();
    overlap.set("a", tensorInfo("F64", "[2]", 0, 16));
    overlap.set("b", tensorInfo("F64", "[1]", 8, 16));
    e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(assemble(JSON.writeValueAsBytes(overlap), new byte[16])));
    assertTrue(e.getMessage().contains("without gaps or overlaps"), e.getMessage());
  }

  @Test
  void read_trailingBytesAfterTensors_rejected() throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.set("a", tensorInfo("F64", "[1]", 0, 8));
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(assemble(JSON.writeValueAsBytes(header), new byte[12])));
    assertEquals(SRC + "the tensors cover 8 bytes but the data section has 12", e.getMessage());
  }

  @Test
  void read_metadataValueNotString_rejected() {
    byte[] bytes = assemble("{\"__metadata__\":{\"format\":1}}".getBytes(StandardCharsets.UTF_8),
        new byte[0]);
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(bytes));
    assertEquals(SRC + "__metadata__ value of 'format' must be a string, got 1", e.getMessage());
  }

  @Test
  void read_path_messageNamesFile() throws IOException {
    Path file = tmp.resolve("cut.safetensors");
    Files.write(file, new byte[3]);
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> SafeTensors.read(file));
    assertTrue(e.getMessage().startsWith(file + ": file is 3 bytes"), e.getMessage());
  }

  @Test
  void tensor_shapeNotMatchingData_rejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Tensor.f64(new double[5], 2, 3));
    assertEquals("tensor shape [2, 3] holds 6 values but data has 5", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new Tensor("F16", new long[] {1}, new double[1]));
    assertThrows(IllegalArgumentException.class, () -> Tensor.f64(new double[0], -1, 0));
  }

  @Test
  void write_reservedName_rejected() {
    LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("__metadata__", Tensor.f64(new double[] {1}, 1));
    assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.write(new ByteArrayOutputStream(), tensors, null));
  }

  // ---------------------------------------------------------------- helpers

  private static byte[] write(LinkedHashMap<String, Tensor> tensors, Map<String, String> meta)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafeTensors.write(out, tensors, meta);
    return out.toByteArray();
  }

  /** The header JSON of a safetensors byte array, parsed independently of the reader. */
  private static JsonNode header(byte[] bytes) throws IOException {
    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return JSON.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
  }

  private static ObjectNode tensorInfo(String dtype, String shape, long begin, long end)
      throws IOException {
    ObjectNode info = JSON.createObjectNode();
    info.put("dtype", dtype);
    info.set("shape", JSON.readTree(shape));
    info.putArray("data_offsets").add(begin).add(end);
    return info;
  }

  /** length (little-endian u64) + header (unpadded) + data: a file made without the writer. */
  private static byte[] assemble(byte[] header, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header).put(data);
    return b.array();
  }

  private static double[] randomValues(int n, long seed) {
    Random random = new Random(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextGaussian() * Math.pow(10, random.nextInt(20) - 10);
    }
    return v;
  }

  /** Values exactly representable as float, so an F32 round trip is exact. */
  private static double[] floats(int n) {
    Random random = new Random(3);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }
}
