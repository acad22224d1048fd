package dev.sparkprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.optim.Adam;
import dev.sparkprop.optim.OptimizerState;
import dev.sparkprop.optim.StepSpec;
import dev.sparkprop.train.Checkpoint;
import dev.sparkprop.train.EarlyStopping;
import dev.sparkprop.train.EpochStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
  @TempDir
  Path dir;

  private static final Configuration CONF = new Configuration();

  private static Checkpoint checkpoint(int epoch) {
    OptimizerState adam = new Adam(StepSpec.plain(0.1), 0.9, 0.999, 1e-8).newState(3);
    adam.step(new double[] {1, 2, 3}, new double[] {0.5, -0.25, 1e-300}, 0.1);
    Map<String, Double> validation = new LinkedHashMap<>();
    validation.put("rows", 10.0);
    validation.put("loss", 0.1 + epoch);
    validation.put("accuracy", 0.9);
    List<EpochStats> history = new java.util.ArrayList<>();
    for (int e = 1; e <= epoch; e++) {
      history.add(new EpochStats(e, 9, 3, Double.NaN, 1.0 / e, validation, 0.25, 30));
    }
    return new Checkpoint(-7, epoch, new double[] {Math.PI, -0.0, 1e-310},
        adam.snapshot(), new EarlyStopping.Best(1, 0.123456789012345678, new double[] {1, 2, 3},
            epoch - 1), history, null);
  }

  @Test
  void writeThenLatest_roundTripsEveryValueExactly() {
    Checkpoint c = checkpoint(4);
    Scaling scaling = new Scaling(new double[] {1, 2}, new double[] {3, 4}, null, null);
    CheckpointStore.write(CONF, dir.toString(), c, "sparkprop { epochs = 9 }", scaling);
    CheckpointStore.Stored s = CheckpointStore.latest(CONF, dir.toString());
    Checkpoint r = s.checkpoint();
    assertEquals(-7, r.seed());
    assertEquals(4, r.epoch());
    assertArrayEquals(c.params(), r.params(), 0.0);
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(r.params()[1]));
    assertEquals("adam", r.optimizer().optimizer());
    assertEquals(1, r.optimizer().steps());
    assertArrayEquals(c.optimizer().arrays().get("v"), r.optimizer().arrays().get("v"), 0.0);
    assertEquals(c.best().loss(), r.best().loss(), 0.0);
    assertArrayEquals(c.best().params(), r.best().params(), 0.0);
    assertEquals(3, r.best().sinceBest());
    assertEquals(c.history(), r.history());
    assertNull(r.stopReason());
    assertEquals("sparkprop { epochs = 9 }", s.configuration());
    assertEquals(scaling, s.scaling());
  }

  @Test
  void write_newerCheckpoint_replacesOlderAndLeavesNoTemporaryFiles() throws IOException {
    CheckpointStore.write(CONF, dir.toString(), checkpoint(2), "", Scaling.NONE);
    CheckpointStore.write(CONF, dir.toString(), checkpoint(4), "", Scaling.NONE);
    assertEquals(Optional.of(4), CheckpointStore.latestEpoch(CONF, dir.toString()));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("epoch-000004"), files.map(p -> p.getFileName().toString())
          .toList());
    }
    Checkpoint initial = new Checkpoint(-7, 0, new double[3], checkpoint(1).optimizer(),
        new EarlyStopping.Best(0, Double.POSITIVE_INFINITY, null, 0), List.of(), "stopped");
    CheckpointStore.write(CONF, dir.resolve("other").toString(), initial, "", Scaling.NONE);
    Checkpoint back = CheckpointStore.latest(CONF, dir.resolve("other").toString()).checkpoint();
    assertEquals(Double.POSITIVE_INFINITY, back.best().loss());
    assertNull(back.best().params());
    assertTrue(back.finished());
  }

  @Test
  void write_deletesTemporaryCheckpointOfADeadRunOnly() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    String suffix = "@" + HiddenSiblings.HOST + "-0123456789abcdef";
    Path dead = Files.createDirectories(dir.resolve(".epoch-000003.tmp-" + ended.pid() + suffix));
    Files.writeString(dead.resolve(CheckpointStore.STATE_FILE), "half a checkpoint");
    Path live = Files.createDirectories(dir.resolve(".epoch-000003.tmp-"
        + ProcessHandle.current().pid() + suffix));

    CheckpointStore.write(CONF, dir.toString(), checkpoint(2), "", Scaling.NONE);

    assertFalse(Files.exists(dead), "left by a process that has ended");
    assertTrue(Files.exists(live), "a live process may still be writing it");
    assertEquals(Optional.of(2), CheckpointStore.latestEpoch(CONF, dir.toString()));
  }

  @Test
  void latest_emptyDirectory_rejectedSayingWhatItNeeds() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CheckpointStore.latest(CONF, dir.toString()));
    assertTrue(e.getMessage().startsWith("'" + dir + "' holds no checkpoint"), e.getMessage());
  }

  @Test
  void latest_truncatedState_rejectedAsCorrupt() throws IOException {
    CheckpointStore.write(CONF, dir.toString(), checkpoint(3), "", Scaling.NONE);
    Path state = dir.resolve("epoch-000003").resolve(CheckpointStore.STATE_FILE);
    byte[] bytes = Files.readAllBytes(state);
    Files.delete(state);
    Files.deleteIfExists(state.resolveSibling("." + CheckpointStore.STATE_FILE + ".crc"));
    Files.write(state, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> CheckpointStore.latest(CONF, dir.toString()));
    assertTrue(e.getMessage().contains("epoch-000003"), e.getMessage());
  }

  @Test
  void epochOf_onlyCheckpointNames() {
    assertEquals(12, CheckpointStore.epochOf("epoch-000012"));
    assertEquals(-1, CheckpointStore.epochOf(".epoch-000012.tmp-x"));
    assertEquals(-1, CheckpointStore.epochOf("epoch-12a"));
    assertEquals(-1, CheckpointStore.epochOf("epoch-"));
  }
}
