package dev.sparkprop.testing;

/** Independent least-squares reference for tests: solves the normal equations directly. */
public final class NormalEquations {
  private NormalEquations() {}

  /** Gaussian elimination with partial pivoting on an augmented p x (p+1) matrix (overwritten). */
  public static double[] solve(double[][] m) {
    int p = m.length;
    for (int c = 0; c < p; c++) {
      int pivot = c;
      for (int r = c + 1; r < p; r++) {
        if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
          pivot = r;
        }
      }
      double[] t = m[c];
      m[c] = m[pivot];
      m[pivot] = t;
      for (int r = c + 1; r < p; r++) {
        double f = m[r][c] / m[c][c];
        for (int j = c; j <= p; j++) {
          m[r][j] -= f * m[c][j];
        }
      }
    }
    double[] s = new double[p];
    for (int r = p - 1; r >= 0; r--) {
      double v = m[r][p];
      for (int j = r + 1; j < p; j++) {
        v -= m[r][j] * s[j];
      }
      s[r] = v / m[r][r];
    }
    return s;
  }
}
