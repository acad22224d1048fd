package dev.sparkprop.cli;

/** A user-facing failure with its exit code; the message is the one line printed. */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  public final ExitCode exitCode;

  public CliException(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }
}
