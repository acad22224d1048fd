package dev.sparkprop.io;

/**
 * Input data that cannot be used: a missing or unreadable path, a malformed file, a missing or
 * mistyped column, a value that breaks a check. The message is one line naming the file, the
 * column or row where known, and what is wrong. A caller's mistake, hence an
 * {@link IllegalArgumentException}, as Spark ML reports such problems.
 */
public class InputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
