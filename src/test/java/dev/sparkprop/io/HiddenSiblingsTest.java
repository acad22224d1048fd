package dev.sparkprop.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which hidden siblings a successful write deletes: those of dead processes of this host, and
 * those older than a day whose writer cannot be checked; never one of a live process, a young
 * one of another host, one of another output, or anything not named like ours.
 */
class HiddenSiblingsTest {
  @TempDir
  Path tmp;

  @Test
  void deleteStale_deadOrOldWritersOfThisOutputOnly() throws Exception {
    long self = ProcessHandle.current().pid();
    long dead = deadPid();
    String host = HiddenSiblings.HOST;
    Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2));
    // Deleted:
    dir(".out.tmp-" + dead + "@" + host + "-0123456789abcdef", null);
    dir(".out.old-" + dead + "@" + host + "-0123456789abcdef", null);
    dir(".out.tmp-12@other-host-0123456789abcdef", twoDaysAgo);
    dir(".out.tmp-550e8400-e29b-41d4-a716-446655440000", twoDaysAgo); // older name, no PID
    // Kept:
    dir(".out.tmp-" + self + "@" + host + "-0123456789abcdef", twoDaysAgo); // live writer
    dir(".out.tmp-12@other-host-fedcba9876543210", null); // cannot tell: young
    dir(".out.tmp-550e8400-e29b-41d4-a716-446655440001", null);
    dir(".other.tmp-" + dead + "@" + host + "-0123456789abcdef", null); // another output
    dir(".out.backup", twoDaysAgo); // not ours
    dir("out", twoDaysAgo);

    FileSystem fs = FileSystem.getLocal(new Configuration());
    int deleted = HiddenSiblings.deleteStale(fs, new org.apache.hadoop.fs.Path(tmp.toString()),
        "out"::equals);

    assertEquals(4, deleted);
    assertEquals(List.of(".other.tmp-" + dead + "@" + host + "-0123456789abcdef",
        ".out.backup", ".out.tmp-" + self + "@" + host + "-0123456789abcdef",
        ".out.tmp-12@other-host-fedcba9876543210",
        ".out.tmp-550e8400-e29b-41d4-a716-446655440001", "out").stream().sorted().toList(),
        entries());
  }

  @Test
  void restoreInterrupted_putsBackNewestAbandonedOldOnlyWhenOutputMissing() throws Exception {
    long self = ProcessHandle.current().pid();
    long dead = deadPid();
    String host = HiddenSiblings.HOST;
    Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
    dir(".out.old-" + dead + "@" + host + "-00000000000000aa", hourAgo);
    dir(".out.old-" + dead + "@" + host + "-00000000000000bb", null); // newest: put back
    dir(".out.old-" + self + "@" + host + "-00000000000000cc", null); // live writer: kept
    dir(".out.tmp-" + dead + "@" + host + "-00000000000000dd", null); // never complete
    FileSystem fs = FileSystem.getLocal(new Configuration());
    org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(tmp.resolve("out").toString());

    assertTrue(HiddenSiblings.restoreInterrupted(fs, out));
    assertFalse(HiddenSiblings.restoreInterrupted(fs, out)); // out exists now: nothing to do

    assertEquals(List.of(".out.old-" + dead + "@" + host + "-00000000000000aa",
        ".out.old-" + self + "@" + host + "-00000000000000cc",
        ".out.tmp-" + dead + "@" + host + "-00000000000000dd", "out").stream().sorted().toList(),
        entries());
  }

  @Test
  void temporary_namesThisProcessAndHost() {
    String name = HiddenSiblings.temporary(new org.apache.hadoop.fs.Path("/x"), "model").getName();
    assertTrue(name.matches("\\.model\\.tmp-" + ProcessHandle.current().pid() + "@"
        + java.util.regex.Pattern.quote(HiddenSiblings.HOST) + "-[0-9a-f]{16}"), name);
  }

  /** The PID of a process that has ended. */
  private static long deadPid() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    assertTrue(ProcessHandle.of(p.pid()).map(h -> !h.isAlive()).orElse(true));
    return p.pid();
  }

  private void dir(String name, Instant modified) throws IOException {
    Path d = Files.createDirectory(tmp.resolve(name));
    Files.writeString(d.resolve("part-00000"), "rows");
    if (modified != null) {
      Files.setLastModifiedTime(d, FileTime.from(modified));
    }
  }

  private List<String> entries() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
