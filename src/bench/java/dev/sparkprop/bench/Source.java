package dev.sparkprop.bench;

import dev.sparkprop.nn.Block;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A labelled data set that each Spark partition produces for itself (generated from a seed, or
 * read from a file the executors can see), so no big driver-side list is ever parallelised.
 * sparkprop's blocks and MLlib's DataFrame are built from the same partition chunks: same rows,
 * same order, same partitioning.
 */
interface Source extends Serializable {
  String name();

  int features();

  int classes();

  long rows();

  /** The rows of partition {@code p} of {@code partitions}: x row-contiguous, y class indices. */
  Chunk chunk(int p, int partitions);

  /** Rows of one partition: {@code x} is {@code rows x features} row-contiguous. */
  record Chunk(int rows, int features, double[] x, double[] y) {}

  /** Rows {@code [from, to)} of {@code total} that partition {@code p} of {@code n} holds. */
  static long[] range(long total, int p, int n) {
    return new long[] {total * p / n, total * (p + 1) / n};
  }

  /** The chunks as an RDD with one partition per chunk. */
  static JavaRDD<Chunk> chunks(JavaSparkContext sc, Source s, int partitions) {
    List<Integer> ids = IntStream.range(0, partitions).boxed().toList();
    return sc.parallelize(ids, partitions)
        .mapPartitionsWithIndex((p, it) -> List.of(s.chunk(p, partitions)).iterator(), true);
  }

  /** sparkprop's training blocks: up to {@code blockSize} rows each, never crossing partitions. */
  static JavaRDD<Block> blocks(JavaSparkContext sc, Source s, int partitions, int blockSize) {
    return chunks(sc, s, partitions).mapPartitions(it -> {
      List<Block> out = new ArrayList<>();
      while (it.hasNext()) {
        Chunk c = it.next();
        for (int from = 0; from < c.rows(); from += blockSize) {
          int n = Math.min(blockSize, c.rows() - from);
          double[] x = new double[n * c.features()];
          System.arraycopy(c.x(), from * c.features(), x, 0, x.length);
          double[] y = new double[n];
          System.arraycopy(c.y(), from, y, 0, n);
          out.add(new Block(n, c.features(), x, 1, y));
        }
      }
      return out.iterator();
    }, true);
  }

  /** MLlib's input: columns {@code label} (double) and {@code features} (ml Vector). */
  static Dataset<Row> dataFrame(SparkSession spark, Source s, int partitions) {
    JavaRDD<Row> rows = chunks(JavaSparkContext.fromSparkContext(spark.sparkContext()), s,
        partitions).flatMap(c -> {
          List<Row> out = new ArrayList<>(c.rows());
          int f = c.features();
          for (int r = 0; r < c.rows(); r++) {
            double[] v = new double[f];
            System.arraycopy(c.x(), r * f, v, 0, f);
            out.add(RowFactory.create(c.y()[r], Vectors.dense(v)));
          }
          return out.iterator();
        });
    StructType schema = new StructType()
        .add("label", DataTypes.DoubleType, false)
        .add("features", SQLDataTypes.VectorType(), false);
    return spark.createDataFrame(rows, schema);
  }

  /**
   * Seeded synthetic classification rows: features N(0, 1), two classes from a fixed nonlinear
   * rule (a random linear part plus a product and a square term), about balanced.
   */
  record Synthetic(long rows, int features, long seed) implements Source {
    @Override
    public String name() {
      return "synthetic-" + rows;
    }

    @Override
    public int classes() {
      return 2;
    }

    @Override
    public Chunk chunk(int p, int partitions) {
      long[] r = Source.range(rows, p, partitions);
      int n = Math.toIntExact(r[1] - r[0]);
      SplittableRandom teacher = new SplittableRandom(seed);
      double[] u = new double[features];
      for (int i = 0; i < features; i++) {
        u[i] = teacher.nextDouble(-1, 1);
      }
      // Each partition's stream is its own, fixed by (seed, partition index).
      SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + p + 1);
      double[] x = new double[n * features];
      double[] y = new double[n];
      for (int row = 0; row < n; row++) {
        double s = 0;
        for (int i = 0; i < features; i++) {
          double v = gaussian(random);
          x[row * features + i] = v;
          s += u[i] * v;
        }
        double a = x[row * features];
        double b = x[row * features + Math.min(1, features - 1)];
        s += 0.8 * a * b - 0.3 * b * b + 0.3;
        y[row] = s > 0 ? 1.0 : 0.0;
      }
      return new Chunk(n, features, x, y);
    }

    private static double gaussian(SplittableRandom r) {
      // Box-Muller; one value per call keeps the stream simple.
      double u1 = 1.0 - r.nextDouble();
      double u2 = r.nextDouble();
      return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
  }

  /**
   * Fashion-MNIST from the gzipped IDX files of Debian's {@code dataset-fashion-mnist}; pixels
   * scaled to [0, 1]. {@code limit} keeps the first rows only (smoke runs); 0 keeps all.
   */
  record FashionMnist(String dir, boolean train, int limit) implements Source {
    static final int PIXELS = 28 * 28;

    @Override
    public String name() {
      return "fashion-mnist-" + (train ? "train" : "test");
    }

    @Override
    public int features() {
      return PIXELS;
    }

    @Override
    public int classes() {
      return 10;
    }

    private Path images() {
      return Path.of(dir, (train ? "train" : "t10k") + "-images-idx3-ubyte.gz");
    }

    private Path labels() {
      return Path.of(dir, (train ? "train" : "t10k") + "-labels-idx1-ubyte.gz");
    }

    @Override
    public long rows() {
      try (DataInputStream in = open(labels())) {
        check(in.readInt(), 0x801, labels());
        int n = in.readInt();
        return limit > 0 ? Math.min(limit, n) : n;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public Chunk chunk(int p, int partitions) {
      long[] r = Source.range(rows(), p, partitions);
      int from = Math.toIntExact(r[0]);
      int n = Math.toIntExact(r[1] - r[0]);
      double[] x = new double[n * PIXELS];
      double[] y = new double[n];
      try (DataInputStream in = open(images())) {
        check(in.readInt(), 0x803, images());
        in.readInt();
        if (in.readInt() != 28 || in.readInt() != 28) {
          throw new IllegalStateException(images() + ": images are not 28x28");
        }
        in.skipNBytes((long) from * PIXELS);
        byte[] buf = new byte[PIXELS];
        for (int row = 0; row < n; row++) {
          in.readFully(buf);
          for (int i = 0; i < PIXELS; i++) {
            x[row * PIXELS + i] = (buf[i] & 0xff) / 255.0;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try (DataInputStream in = open(labels())) {
        check(in.readInt(), 0x801, labels());
        in.readInt();
        in.skipNBytes(from);
        for (int row = 0; row < n; row++) {
          y[row] = in.readUnsignedByte();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Chunk(n, PIXELS, x, y);
    }

    private static DataInputStream open(Path p) throws IOException {
      InputStream raw = Files.newInputStream(p);
      return new DataInputStream(new GZIPInputStream(raw, 1 << 16));
    }

    private static void check(int magic, int expected, Path p) {
      if (magic != expected) {
        throw new IllegalStateException(String.format(
            "%s: IDX magic number 0x%x, expected 0x%x", p, magic, expected));
      }
    }
  }
}
