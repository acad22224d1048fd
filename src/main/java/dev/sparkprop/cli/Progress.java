package dev.sparkprop.cli;

import dev.sparkprop.train.EpochStats;
import java.io.PrintStream;
import java.util.List;

/** Prints one line per epoch (every {@code logEvery} epochs, and the last) and a summary. */
final class Progress {
  private final PrintStream out;
  private final int logEvery;
  private final boolean showLearningRate;
  private double elapsed;
  private int epochs;
  private long rows;

  Progress(PrintStream out, int logEvery, boolean showLearningRate) {
    this.out = out;
    this.logEvery = logEvery;
    this.showLearningRate = showLearningRate;
  }

  void onEpoch(EpochStats e) {
    elapsed += e.seconds();
    epochs++;
    rows += e.rows();
    if (e.epoch() % logEvery != 0 && e.epoch() != e.epochs() && e.epoch() != 1) {
      return;
    }
    int width = String.valueOf(e.epochs()).length();
    String validation = !e.hasValidation() ? ""
        : Main.fmt("  val_loss %s  val_%s %.4f", loss(e.validationLoss()),
            e.validationHeadlineName(), e.validationHeadline());
    double remaining = elapsed / epochs * (e.epochs() - e.epoch());
    String rate = showLearningRate ? Main.fmt("  lr %.3g", e.learningRate()) : "";
    out.println(Main.fmt("epoch %" + width + "d/%d  loss %s%s%s  %.3f s  %,.0f rows/s  eta %s",
        e.epoch(), e.epochs(), loss(e.trainLoss()), validation, rate, e.seconds(),
        e.rowsPerSecond(), duration(remaining)));
  }

  /** The epochs this run trained (a resumed run: those after the checkpoint). */
  void summary(List<EpochStats> history) {
    if (epochs == 0) {
      out.println("trained no epochs");
      return;
    }
    EpochStats last = history.get(history.size() - 1);
    out.println(Main.fmt("trained %d epochs in %s (%.3f s per epoch, %,.0f rows/s); final loss %s",
        epochs, duration(elapsed), elapsed / epochs, rows / elapsed, loss(last.trainLoss())));
  }

  /** A loss with 6 decimals, or 6 significant digits when it is huge (a diverging run). */
  static String loss(double value) {
    return Math.abs(value) < 1e6 ? Main.fmt("%.6f", value) : Main.fmt("%.6g", value);
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
