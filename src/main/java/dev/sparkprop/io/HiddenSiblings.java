package dev.sparkprop.io;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The hidden siblings an output is written through: {@code .NAME.tmp-PID@HOST-RANDOM} (being
 * written) and {@code .NAME.old-PID@HOST-RANDOM} (the replaced output, until it is deleted). The
 * writer's PID and host are in the name so that the ones a killed run left can be told from the
 * ones a live run is writing.
 *
 * <p>After a successful write, {@link #deleteStale} deletes the siblings of the same output that
 * are clearly abandoned: written by a process of this host that no longer runs, or (other hosts,
 * whose processes cannot be checked, and names without a PID from older versions) last modified
 * more than {@link #MAX_AGE} ago. A sibling of a live process on this host is never deleted; one
 * whose PID has since been reused by another process is kept until it reaches that age.
 */
public final class HiddenSiblings {
  /** Age after which a sibling whose writer cannot be checked counts as abandoned. */
  public static final Duration MAX_AGE = Duration.ofHours(24);

  /** ".NAME.tmp-" or ".NAME.old-", then "PID@HOST-" (absent in older names), then the random part. */
  private static final Pattern SIBLING = Pattern.compile(
      "^\\.(?<name>.+)\\.(?<kind>tmp|old)-(?:(?<pid>\\d+)@(?<host>.+)-)?[0-9a-fA-F-]+$");

  static final String HOST = hostName();
  private static final String OWNER = ProcessHandle.current().pid() + "@" + HOST;

  private HiddenSiblings() {}

  /** A new temporary sibling of {@code name} in {@code parent}, recording this process. */
  public static Path temporary(Path parent, String name) {
    return new Path(parent, "." + name + ".tmp-" + OWNER + "-" + random());
  }

  /** A new sibling of {@code name} to move the existing output aside to. */
  public static Path aside(Path parent, String name) {
    return new Path(parent, "." + name + ".old-" + OWNER + "-" + random());
  }

  /**
   * Deletes the abandoned hidden siblings in {@code parent} of outputs whose names
   * {@code output} accepts; best effort (a sibling that cannot be listed or deleted stays).
   *
   * @return how many were deleted
   */
  public static int deleteStale(FileSystem fs, Path parent, Predicate<String> output) {
    int deleted = 0;
    FileStatus[] entries;
    try {
      entries = fs.listStatus(parent);
    } catch (IOException e) {
      return 0;
    }
    long now = System.currentTimeMillis();
    for (FileStatus s : entries) {
      String name = s.getPath().getName();
      Matcher m = SIBLING.matcher(name);
      if (!m.matches() || !output.test(m.group("name"))
          || !abandoned(m.group("pid"), m.group("host"), s.getModificationTime(), now)) {
        continue;
      }
      try {
        if (fs.delete(s.getPath(), true)) {
          deleted++;
        }
      } catch (IOException e) {
        // another run's clean-up got there first, or no permission: leave it
      }
    }
    return deleted;
  }

  /**
   * Puts back an output whose replacement a killed run interrupted: the run had moved the
   * complete previous output aside to {@code .NAME.old-...} but died before moving the new one
   * into place, so {@code target} is missing. The most recent abandoned {@code .old} sibling is
   * renamed back to {@code target} (only when nothing is at {@code target}); best effort.
   *
   * @return whether an output was put back
   */
  public static boolean restoreInterrupted(FileSystem fs, Path target) {
    Path parent = target.getParent();
    try {
      if (parent == null || fs.exists(target)) {
        return false;
      }
      long now = System.currentTimeMillis();
      FileStatus newest = null;
      for (FileStatus s : fs.listStatus(parent)) {
        Matcher m = SIBLING.matcher(s.getPath().getName());
        if (m.matches() && m.group("name").equals(target.getName()) && m.group("kind").equals("old")
            && abandoned(m.group("pid"), m.group("host"), s.getModificationTime(), now)
            && (newest == null || s.getModificationTime() > newest.getModificationTime())) {
          newest = s;
        }
      }
      return newest != null && fs.rename(newest.getPath(), target);
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether the sibling's writer is gone: a dead PID of this host, or older than MAX_AGE. */
  static boolean abandoned(String pid, String host, long modifiedMillis, long nowMillis) {
    if (pid != null && HOST.equals(host)) {
      try {
        return ProcessHandle.of(Long.parseLong(pid)).map(p -> !p.isAlive()).orElse(true);
      } catch (NumberFormatException e) {
        // not a PID after all: judge by age
      }
    }
    return nowMillis - modifiedMillis > MAX_AGE.toMillis();
  }

  private static String random() {
    return String.format(Locale.ROOT, "%016x", ThreadLocalRandom.current().nextLong());
  }

  private static String hostName() {
    String name;
    try {
      name = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      name = System.getenv().getOrDefault("HOSTNAME", "localhost");
    }
    // A file-name part: no separators.
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
