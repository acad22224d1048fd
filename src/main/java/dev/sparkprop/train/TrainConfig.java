package dev.sparkprop.train;

import dev.sparkprop.nn.Checks;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.optim.OptimizerSpec;
import java.util.Objects;

/**
 * What a {@link Trainer} does: the optimizer, how many epochs, the seed of the mini-batch
 * shuffles, early stopping, and how often to checkpoint.
 *
 * @param network the network trained; null is allowed only without weight decay (which needs it
 *     to tell weights from biases)
 * @param checkpointEvery epochs between checkpoints (the last epoch is always checkpointed when
 *     a checkpoint sink is given), >= 1
 */
public record TrainConfig(NetworkSpec network, OptimizerSpec optimizer, int epochs, long seed,
    EarlyStopping earlyStopping, int checkpointEvery) {
  public TrainConfig {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(earlyStopping, "earlyStopping");
    Checks.arg(epochs > 0, "epochs must be > 0, got %s", epochs);
    Checks.arg(checkpointEvery >= 1, "checkpoint interval must be >= 1 epoch, got %s",
        checkpointEvery);
    Checks.arg(network != null || optimizer.weightDecay() == 0,
        "weight decay needs the network spec, to leave the biases out");
  }

  /** {@code epochs} epochs of {@code optimizer}, seed 0, no early stopping. */
  public static TrainConfig of(OptimizerSpec optimizer, int epochs) {
    return new TrainConfig(null, optimizer, epochs, 0L, EarlyStopping.OFF, epochs);
  }
}
