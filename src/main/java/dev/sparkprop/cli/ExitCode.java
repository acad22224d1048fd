package dev.sparkprop.cli;

/** The command line's exit codes; the README lists them. */
public enum ExitCode {
  OK(0, "success"),
  INTERNAL(1, "unexpected internal error (rerun with --verbose and report it)"),
  USAGE(2, "bad command line or configuration: unknown command, flag or key, invalid value"),
  INPUT(3, "unusable input data: missing path or column, wrong type, null/NaN/infinite value, "
      + "wrong width, empty input, label out of range"),
  OUTPUT_EXISTS(4, "the output already exists (pass --overwrite to replace it)"),
  MODEL(5, "a model directory is missing, incomplete or corrupt, or does not fit the data"),
  DIVERGED(6, "training stopped: the loss or gradient became NaN or infinite"),
  DRIVER_FAILED(7, "a driver submitted in standalone cluster deploy mode did not finish "
      + "successfully (FAILED, KILLED, ERROR or no final state); its own code and one-line "
      + "message are in its log on the cluster");

  public final int code;
  public final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }
}
