package dev.sparkprop.spark;

import org.apache.spark.sql.SparkSession;

/** One local[2] session per test class (STYLE.md section 6), quiet and on loopback. */
public final class SparkTestSession {
  private SparkTestSession() {}

  public static SparkSession start(String name) {
    return SparkSession.builder()
        .master("local[2]")
        .appName(name)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.executorEnv.OPENBLAS_NUM_THREADS", "1")
        .getOrCreate();
  }
}
