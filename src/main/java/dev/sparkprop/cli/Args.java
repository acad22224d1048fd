package dev.sparkprop.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed command line: {@code sparkprop COMMAND [--flag VALUE | --switch | KEY=VALUE]...}.
 * Flags take a value ({@code --conf FILE}, also {@code --conf=FILE}); switches do not.
 */
public final class Args {
  static final Set<String> SWITCHES = Set.of("overwrite", "verbose", "help");
  static final Set<String> FLAGS = Set.of("conf", "model", "input", "output", "master",
      "input-format", "resume");

  public final String command;
  public final Map<String, String> flags = new LinkedHashMap<>();
  public final List<String> overrides = new ArrayList<>();

  private Args(String command) {
    this.command = command;
  }

  public static Args parse(String[] argv) {
    if (argv.length == 0) {
      throw new CliException(ExitCode.USAGE, "no command given; " + Main.USAGE_HINT);
    }
    Args a = new Args(argv[0]);
    for (int i = 1; i < argv.length; i++) {
      String s = argv[i];
      if (s.startsWith("--")) {
        String name = s.substring(2);
        String value = null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (SWITCHES.contains(name)) {
          if (value != null) {
            throw new CliException(ExitCode.USAGE, "--" + name + " takes no value");
          }
          a.flags.put(name, "true");
        } else if (FLAGS.contains(name)) {
          if (value == null) {
            if (i + 1 >= argv.length) {
              throw new CliException(ExitCode.USAGE, "--" + name + " needs a value");
            }
            value = argv[++i];
          }
          a.flags.put(name, value);
        } else {
          throw new CliException(ExitCode.USAGE, "unknown option '--" + name + "'"
              + Nearest.key(name, union()).map(n -> " (did you mean '--" + n + "'?)")
                  .orElse("") + "; " + Main.USAGE_HINT);
        }
      } else if (s.contains("=")) {
        a.overrides.add(s);
      } else {
        throw new CliException(ExitCode.USAGE, "unexpected argument '" + s
            + "'; settings are given as KEY=VALUE; " + Main.USAGE_HINT);
      }
    }
    return a;
  }

  public boolean has(String name) {
    return flags.containsKey(name);
  }

  public String get(String name) {
    return flags.get(name);
  }

  /** The value of a flag that this command needs. */
  public String require(String name, String what) {
    String v = flags.get(name);
    if (v == null || v.isBlank()) {
      throw new CliException(ExitCode.USAGE, command + " needs --" + name + " " + what);
    }
    return v;
  }

  /** Rejects flags that this command does not take. */
  public void allow(String... names) {
    Set<String> ok = Set.of(names);
    for (String f : flags.keySet()) {
      if (!ok.contains(f) && !f.equals("verbose") && !f.equals("master") && !f.equals("help")) {
        throw new CliException(ExitCode.USAGE, "'" + command + "' does not take --" + f);
      }
    }
  }

  private static List<String> union() {
    List<String> all = new ArrayList<>(SWITCHES);
    all.addAll(FLAGS);
    return all;
  }
}
