package dev.sparkprop.cli;

import java.util.Collection;
import java.util.Optional;

/** The valid key closest to a mistyped one, for "did you mean" hints. */
final class Nearest {
  private Nearest() {}

  /**
   * The key of {@code valid} nearest to {@code wrong}, if it is close enough to be a likely typo.
   * Distance is the Levenshtein distance between the full paths or between their last segments,
   * whichever is smaller, so a misspelt section ({@code optimiser.name}) and a key put in the wrong
   * section ({@code sparkprop.hidden}) are both found. Ties go to the first key of {@code valid}.
   */
  static Optional<String> key(String wrong, Collection<String> valid) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : valid) {
      int d = Math.min(distance(wrong, candidate), distance(last(wrong), last(candidate)));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    int allowed = Math.max(1, last(wrong).length() / 3);
    return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
  }

  /** Levenshtein distance: the fewest single-character insertions, deletions or substitutions. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }

  private static String last(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }
}
