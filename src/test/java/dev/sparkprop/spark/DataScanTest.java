package dev.sparkprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.io.InputMapping;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Precision;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF0;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A DataFrame is not a file: one that gives other values or another row order each time it is
 * computed (here a repartitioned or sampled input with a non-deterministic column) is read once
 * by the scan, and the split, the statistics and every split's blocks are made of that one
 * reading: each row exactly once, standardised by the statistics of the rows trained on.
 */
class DataScanTest {
  private static SparkSession spark;
  /** Counts evaluations of the non-deterministic column, across all tasks (local mode). */
  private static final AtomicLong EVALUATIONS = new AtomicLong();

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("DataScanTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** 400 rows: x = the evaluation counter (new values whenever recomputed), y = id % 2. */
  private static Dataset<Row> input() {
    UserDefinedFunction next = functions.udf(
        (UDF0<Double>) () -> (double) EVALUATIONS.getAndIncrement(), DataTypes.DoubleType)
        .asNondeterministic();
    return spark.range(0, 400, 1, 4).withColumn("x", next.apply())
        .withColumn("w", functions.col("id").cast("double"))
        .withColumn("y", functions.col("id").mod(2).cast("int"));
  }

  private static void checkReadOnce(Dataset<Row> raw) {
    InputMapping mapping = InputMapping.forTraining(raw, List.of("x", "w"), "y",
        "classification");
    Dataset<Row> canonical = mapping.canonical(raw, true);
    BlockStacker.SplitSpec split = new BlockStacker.SplitSpec(7, 0.25, 0.0);
    long before = EVALUATIONS.get();
    try (DataScan scan = DataScan.scan(canonical, mapping, true, -1, 0)) {
      long after = EVALUATIONS.get();
      long n = scan.rows();
      BlockStacker.Stats stats = BlockStacker.stats(scan, split, Split.TRAIN, true, false);
      List<Block> train = BlockStacker.stack(scan, split, Split.TRAIN, stats, 16, 0,
          Precision.FLOAT64).collect();
      List<Block> validation = BlockStacker.stack(scan, split, Split.VALIDATION, stats, 16, 0,
          Precision.FLOAT64).collect();
      // Every row once: ids 0..n-1 across both splits, and the x values of the one evaluation
      // of the input that the scan made (later evaluations would give other values).
      Set<Long> ids = new HashSet<>();
      List<Double> xs = new ArrayList<>();
      double trainSum = 0;
      long trainRows = 0;
      for (List<Block> part : List.of(train, validation)) {
        for (Block b : part) {
          for (int r = 0; r < b.rows; r++) {
            assertTrue(ids.add(b.rowIds[r]), "row " + b.rowIds[r] + " twice");
            double x = b.x[r * 2] * stats.featureStd()[0] + stats.featureMean()[0];
            xs.add((double) Math.round(x));
            if (part == train) {
              trainSum += b.x[r * 2];
              trainRows++;
            }
          }
        }
      }
      assertEquals(n, ids.size());
      for (long id = 0; id < n; id++) {
        assertTrue(ids.contains(id), "row " + id + " missing");
      }
      assertEquals(n, new HashSet<>(xs).size(), "distinct x values");
      for (double x : xs) {
        assertTrue(x >= before && x < after, "x " + x + " not of the scan's reading ["
            + before + ", " + after + ")");
      }
      // Standardised with the statistics of exactly the rows trained on: mean 0.
      assertEquals(0.0, trainSum / trainRows, 1e-9);
      assertEquals(stats.rows(), trainRows);
      assertTrue(trainRows > 0.6 * n && trainRows < 0.9 * n, "train rows " + trainRows);
    }
  }

  @Test
  void scan_repartitionedNonDeterministicInput_splitsAndBlocksOfOneReading() {
    checkReadOnce(input().repartition(3));
  }

  @Test
  void scan_sampledNonDeterministicInput_splitsAndBlocksOfOneReading() {
    checkReadOnce(input().sample(0.6));
  }
}
