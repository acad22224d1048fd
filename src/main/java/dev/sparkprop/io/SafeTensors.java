package dev.sparkprop.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparkprop.nn.Checks;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reader and writer of the safetensors format (Hugging Face): an unsigned 8-byte little-endian
 * header length N, N bytes of UTF-8 JSON mapping each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the data
 * section) plus an optional {@code "__metadata__"} string map, then the tensors' raw
 * little-endian, row-major bytes. Only F64 and F32 tensors are handled; F32 values are widened
 * to double on reading.
 *
 * <p>The reader checks a file as the reference implementation does (header length within the
 * file and at most 100 MB, UTF-8 JSON, offsets within the data, each tensor's byte span equal to
 * its shape times its element size, tensors covering the data section without gaps or overlaps)
 * and reports the first problem as a {@link ModelFormatException} of one line naming the file.
 * Tensor data is streamed in chunks: no copy of the whole file is held in memory.
 */
public final class SafeTensors {
  public static final String F64 = "F64";
  public static final String F32 = "F32";

  /** Largest header accepted: the limit of the reference implementation. */
  static final long MAX_HEADER_BYTES = 100_000_000L;
  /** Largest Java array. */
  private static final long MAX_VALUES = Integer.MAX_VALUE - 8;
  private static final String METADATA_KEY = "__metadata__";
  /** Bytes per buffered read or write; a multiple of every element size. */
  private static final int CHUNK = 1 << 16;
  private static final String BYTES_SOURCE = "safetensors data";

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private SafeTensors() {}

  /**
   * One tensor: its dtype ({@link #F64} or {@link #F32}), shape, and values in row-major order.
   * {@code data} is held as given, not copied; for F32 the values are those read (widened) or
   * to be written (rounded to float).
   */
  public record Tensor(String dtype, long[] shape, double[] data) {
    public Tensor {
      Objects.requireNonNull(dtype, "dtype");
      Checks.arg(F64.equals(dtype) || F32.equals(dtype),
          "tensor dtype must be %s or %s, got %s", F64, F32, dtype);
      shape = Objects.requireNonNull(shape, "shape").clone();
      Objects.requireNonNull(data, "data");
      for (long d : shape) {
        Checks.arg(d >= 0, "tensor shape %s has a negative dimension", Arrays.toString(shape));
      }
      long count = elementCount(shape);
      Checks.arg(count == data.length, "tensor shape %s holds %s values but data has %s",
          Arrays.toString(shape), count < 0 ? "too many" : count, data.length);
    }

    /** An F64 tensor of the given shape over {@code data} (not copied). */
    public static Tensor f64(double[] data, long... shape) {
      return new Tensor(F64, shape, data);
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tensor t && dtype.equals(t.dtype) && Arrays.equals(shape, t.shape)
          && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
      return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
      return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
  }

  /**
   * Writes {@code tensors} in their iteration order, contiguously, after a header whose
   * {@code "__metadata__"} holds {@code metadata} (omitted when null or empty). The header is
   * padded with spaces so that the data section starts at a multiple of 8 bytes. Does not close
   * {@code out}.
   */
  public static void write(OutputStream out, LinkedHashMap<String, Tensor> tensors,
      Map<String, String> metadata) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = header.putObject(METADATA_KEY);
      metadata.forEach((key, value) -> meta.put(Objects.requireNonNull(key, "metadata key"),
          Objects.requireNonNull(value, () -> "metadata value of '" + key + "'")));
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      String name = e.getKey();
      Checks.arg(name != null && !name.isEmpty() && !METADATA_KEY.equals(name),
          "invalid tensor name '%s'", name);
      Tensor t = Objects.requireNonNull(e.getValue(), name);
      long bytes = (long) t.data.length * elementSize(t.dtype);
      ObjectNode info = header.putObject(name);
      info.put("dtype", t.dtype);
      ArrayNode shape = info.putArray("shape");
      for (long d : t.shape) {
        shape.add(d);
      }
      info.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) & ~7;
    byte[] chunk = new byte[CHUNK];
    ByteBuffer buf = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(padded);
    out.write(chunk, 0, 8);
    out.write(json);
    for (int i = json.length; i < padded; i++) {
      out.write(' ');
    }
    for (Tensor t : tensors.values()) {
      writeValues(out, t, buf);
    }
  }

  private static void writeValues(OutputStream out, Tensor t, ByteBuffer buf) throws IOException {
    double[] d = t.data;
    int size = elementSize(t.dtype);
    for (int done = 0; done < d.length; ) {
      int k = Math.min(d.length - done, CHUNK / size);
      buf.clear();
      if (size == Double.BYTES) {
        buf.asDoubleBuffer().put(d, done, k);
      } else {
        FloatBuffer f = buf.asFloatBuffer();
        for (int i = 0; i < k; i++) {
          f.put(i, (float) d[done + i]);
        }
      }
      out.write(buf.array(), 0, k * size);
      done += k;
    }
  }

  /** Reads every tensor of a safetensors file, in header order. */
  public static Map<String, Tensor> read(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return read(new Source() {
        @Override
        public long size() throws IOException {
          return channel.size();
        }

        @Override
        public boolean read(long position, ByteBuffer dst) throws IOException {
          for (long at = position; dst.hasRemaining(); ) {
            int n = channel.read(dst, at);
            if (n < 0) {
              return false;
            }
            at += n;
          }
          return true;
        }
      }, file.toString());
    }
  }

  /**
   * Reads every tensor of a safetensors file on a Hadoop file system, in header order, with
   * positioned reads.
   */
  public static Map<String, Tensor> read(org.apache.hadoop.fs.FileSystem fs,
      org.apache.hadoop.fs.Path file) throws IOException {
    long length = fs.getFileStatus(file).getLen();
    try (org.apache.hadoop.fs.FSDataInputStream in = fs.open(file)) {
      return read(new Source() {
        @Override
        public long size() {
          return length;
        }

        @Override
        public boolean read(long position, ByteBuffer dst) throws IOException {
          if (position + dst.remaining() > length) {
            return false;
          }
          if (dst.hasArray()) {
            in.readFully(position, dst.array(), dst.arrayOffset() + dst.position(),
                dst.remaining());
            dst.position(dst.limit());
          } else {
            byte[] bytes = new byte[dst.remaining()];
            in.readFully(position, bytes);
            dst.put(bytes);
          }
          return true;
        }
      }, file.toString());
    }
  }

  /** Reads every tensor of a safetensors file held in memory, in header order. */
  public static Map<String, Tensor> read(byte[] bytes) {
    try {
      return read(new Source() {
        @Override
        public long size() {
          return bytes.length;
        }

        @Override
        public boolean read(long position, ByteBuffer dst) {
          if (position + dst.remaining() > bytes.length) {
            return false;
          }
          dst.put(bytes, (int) position, dst.remaining());
          return true;
        }
      }, BYTES_SOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Random-access bytes: a file or an array. */
  private interface Source {
    long size() throws IOException;

    /** Fills {@code dst} from {@code position}; false if the source ends first. */
    boolean read(long position, ByteBuffer dst) throws IOException;
  }

  /** A tensor's header entry, checked against the data section. */
  private record Entry(String name, String dtype, long[] shape, long begin, long end, int count) {}

  private static Map<String, Tensor> read(Source src, String source) throws IOException {
    long size = src.size();
    if (size < 8) {
      throw fail(source, "file is %s bytes, shorter than the 8-byte header length; it is "
          + "truncated or not a safetensors file", size);
    }
    ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(src, 0, lengthBytes, source);
    long n = lengthBytes.flip().getLong();
    if (n < 0 || n > size - 8) {
      throw fail(source, "header length %s is larger than the file (%s bytes); it is truncated "
          + "or not a safetensors file", Long.toUnsignedString(n), size);
    }
    if (n > MAX_HEADER_BYTES) {
      throw fail(source, "header length %s is over the limit of %s bytes", n, MAX_HEADER_BYTES);
    }
    ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
    readFully(src, 8, headerBytes, source);
    JsonNode header = parseHeader(headerBytes.flip(), source);
    long dataStart = 8 + n;
    long dataLength = size - dataStart;

    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : header.properties()) {
      if (METADATA_KEY.equals(field.getKey())) {
        checkMetadata(field.getValue(), source);
      } else {
        entries.add(entry(field.getKey(), field.getValue(), dataLength, source));
      }
    }
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long expected = 0;
    for (Entry e : byOffset) {
      if (e.begin != expected) {
        throw fail(source, "tensor '%s' starts at data offset %s, expected %s: tensors must "
            + "cover the data section without gaps or overlaps", e.name, e.begin, expected);
      }
      expected = e.end;
    }
    if (expected != dataLength) {
      throw fail(source, "the tensors cover %s bytes but the data section has %s", expected,
          dataLength);
    }

    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Entry e : entries) {
      double[] data = readValues(src, dataStart + e.begin, e.count, elementSize(e.dtype), source);
      tensors.put(e.name, new Tensor(e.dtype, e.shape, data));
    }
    return tensors;
  }

  private static JsonNode parseHeader(ByteBuffer bytes, String source) {
    CharBuffer text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes);
    } catch (CharacterCodingException e) {
      throw fail(source, "header is not valid UTF-8; the file is corrupt or not a safetensors file");
    }
    JsonNode header;
    try {
      header = JSON.readTree(text.toString());
    } catch (JsonProcessingException e) {
      throw fail(source, "header is not valid JSON (%s); the file is corrupt or not a "
          + "safetensors file", oneLine(e.getOriginalMessage()));
    }
    if (header == null || !header.isObject()) {
      throw fail(source, "header is not a JSON object; the file is corrupt or not a safetensors "
          + "file");
    }
    return header;
  }

  private static void checkMetadata(JsonNode meta, String source) {
    if (!meta.isObject()) {
      throw fail(source, "%s must be a JSON object of strings", METADATA_KEY);
    }
    for (Map.Entry<String, JsonNode> e : meta.properties()) {
      if (!e.getValue().isTextual()) {
        throw fail(source, "%s value of '%s' must be a string, got %s", METADATA_KEY,
            e.getKey(), e.getValue());
      }
    }
  }

  private static Entry entry(String name, JsonNode info, long dataLength, String source) {
    if (!info.isObject()) {
      throw fail(source, "tensor '%s' must be an object with dtype, shape and data_offsets, "
          + "got %s", name, info);
    }
    JsonNode dtypeNode = info.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw fail(source, "tensor '%s' has no dtype string", name);
    }
    String dtype = dtypeNode.asText();
    if (!F64.equals(dtype) && !F32.equals(dtype)) {
      throw fail(source, "tensor '%s' has dtype %s; sparkprop reads only %s and %s", name, dtype,
          F64, F32);
    }
    long[] shape = longs(info.get("shape"), -1);
    if (shape == null) {
      throw fail(source, "tensor '%s' has an invalid shape %s; expected an array of integers "
          + ">= 0", name, info.get("shape"));
    }
    long[] offsets = longs(info.get("data_offsets"), 2);
    if (offsets == null || offsets[0] > offsets[1]) {
      throw fail(source, "tensor '%s' has invalid data_offsets %s; expected [begin, end] with "
          + "0 <= begin <= end", name, info.get("data_offsets"));
    }
    long count = elementCount(shape);
    if (count < 0 || count > MAX_VALUES) {
      throw fail(source, "tensor '%s' has shape %s, more values than one Java array holds", name,
          Arrays.toString(shape));
    }
    if (offsets[1] > dataLength) {
      throw fail(source, "tensor '%s' has data_offsets [%s, %s] past the end of the data "
          + "section (%s bytes); the file is truncated", name, offsets[0], offsets[1],
          dataLength);
    }
    long needed = count * elementSize(dtype);
    if (offsets[1] - offsets[0] != needed) {
      throw fail(source, "tensor '%s' has data_offsets [%s, %s] spanning %s bytes, but shape %s "
          + "of %s needs %s", name, offsets[0], offsets[1], offsets[1] - offsets[0],
          Arrays.toString(shape), dtype, needed);
    }
    return new Entry(name, dtype, shape, offsets[0], offsets[1], (int) count);
  }

  /** The node's values if it is an array of integers >= 0 (of {@code length} if >= 0), else null. */
  private static long[] longs(JsonNode node, int length) {
    if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
      return null;
    }
    long[] values = new long[node.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
        return null;
      }
      values[i] = v.asLong();
    }
    return values;
  }

  private static double[] readValues(Source src, long position, int count, int size,
      String source) throws IOException {
    double[] out = new double[count];
    ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    for (int done = 0; done < count; ) {
      int k = Math.min(count - done, CHUNK / size);
      buf.clear().limit(k * size);
      readFully(src, position + (long) done * size, buf, source);
      buf.flip();
      if (size == Double.BYTES) {
        buf.asDoubleBuffer().get(out, done, k);
      } else {
        FloatBuffer f = buf.asFloatBuffer();
        for (int i = 0; i < k; i++) {
          out[done + i] = f.get(i);
        }
      }
      done += k;
    }
    return out;
  }

  private static void readFully(Source src, long position, ByteBuffer dst, String source)
      throws IOException {
    if (!src.read(position, dst)) {
      throw fail(source, "file ended before byte %s; it is truncated", position + dst.limit());
    }
  }

  /** Product of the dimensions, or -1 if it overflows a long. */
  static long elementCount(long[] shape) {
    long count = 1;
    for (long d : shape) {
      if (d < 0) {
        return -1;
      }
      try {
        count = Math.multiplyExact(count, d);
      } catch (ArithmeticException e) {
        return -1;
      }
    }
    return count;
  }

  static int elementSize(String dtype) {
    return F64.equals(dtype) ? Double.BYTES : Float.BYTES;
  }

  private static String oneLine(String text) {
    String s = text == null ? "" : text.replaceAll("\\s+", " ").trim();
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  private static ModelFormatException fail(String source, String format, Object... args) {
    return new ModelFormatException(source + ": " + String.format(Locale.ROOT, format, args));
  }
}
