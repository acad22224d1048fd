package dev.sparkprop.io;

/**
 * An output (model directory, predictions, converted file) already exists and replacing it was
 * not asked for. Thrown before anything is computed or written.
 */
public class OutputExistsException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public OutputExistsException(String path) {
    super("output '" + path + "' already exists; pass --overwrite to replace it");
  }
}
