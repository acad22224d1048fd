package dev.sparkprop.cli;

import dev.sparkprop.train.EpochStats;
import java.io.PrintStream;
import java.util.List;

/** Prints one line per epoch (every {@code logEvery} epochs, and the last) and a summary. */
final class Progress {
  private final PrintStream out;
  private final int logEvery;
  private double elapsed;

  Progress(PrintStream out, int logEvery) {
    this.out = out;
    this.logEvery = logEvery;
  }

  void onEpoch(EpochStats e) {
    elapsed += e.seconds();
    if (e.epoch() % logEvery != 0 && e.epoch() != e.epochs() && e.epoch() != 1) {
      return;
    }
    int width = String.valueOf(e.epochs()).length();
    String validation = !e.hasValidation() ? ""
        : Main.fmt("  val_loss %.6f  val_%s %.4f", e.validationLoss(),
            e.validationHeadlineName(), e.validationHeadline());
    double remaining = elapsed / e.epoch() * (e.epochs() - e.epoch());
    out.println(Main.fmt("epoch %" + width + "d/%d  loss %.6f%s  %.3f s  %,.0f rows/s  eta %s",
        e.epoch(), e.epochs(), e.trainLoss(), validation, e.seconds(), e.rowsPerSecond(),
        duration(remaining)));
  }

  void summary(List<EpochStats> history) {
    EpochStats last = history.get(history.size() - 1);
    out.println(Main.fmt("trained %d epochs in %s (%.3f s per epoch, %,.0f rows/s); final loss %.6f",
        history.size(), duration(elapsed), elapsed / history.size(),
        last.rows() * history.size() / elapsed, last.trainLoss()));
  }

  static String duration(double seconds) {
    if (seconds < 60) {
      return Main.fmt("%.1f s", seconds);
    }
    long s = Math.round(seconds);
    return s < 3600 ? Main.fmt("%dm%02ds", s / 60, s % 60)
        : Main.fmt("%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
