package dev.sparkprop.cli;

/**
 * A mistake in the configuration (file, command line or value), as one line a person can act
 * on: it names the key, the bad value and what would be accepted. The command line prints the
 * message and exits non-zero, without a stack trace.
 */
public final class ConfigException extends IllegalArgumentException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
