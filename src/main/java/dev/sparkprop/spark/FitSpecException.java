package dev.sparkprop.spark;

/**
 * A {@link FitSpec} that does not fit the data it is given: a loss for classes on a numeric
 * label, layer sizes the network cannot take. A caller's mistake in the settings, found once
 * the data's widths are known (the command line reports it as a configuration error).
 */
public final class FitSpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public FitSpecException(String message) {
    super(message);
  }
}
