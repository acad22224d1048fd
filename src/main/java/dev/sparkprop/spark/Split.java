package dev.sparkprop.spark;

/**
 * Seeded assignment of input rows to the training, validation and test sets by their position
 * in the input: a row's set depends only on the seed and its global row index, never on how the
 * input is partitioned or how many executors read it.
 */
public enum Split {
  TRAIN, VALIDATION, TEST;

  /** The set of the row at {@code index} (0-based, in input order). */
  public static Split of(long seed, long index, double validationFraction, double testFraction) {
    if (validationFraction <= 0 && testFraction <= 0) {
      return TRAIN;
    }
    double u = uniform(seed, index);
    if (u < testFraction) {
      return TEST;
    }
    if (u < testFraction + validationFraction) {
      return VALIDATION;
    }
    return TRAIN;
  }

  /** A uniform number in [0, 1) from SplitMix64 of (seed, index). */
  static double uniform(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53;
  }
}
