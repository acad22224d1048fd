package dev.sparkprop.io;

/**
 * A model directory or safetensors file that cannot be read as one: the message is one line
 * naming the file and the problem, e.g. {@code "/m/model.safetensors: tensor 'layers.0.weight'
 * has dtype F16; sparkprop reads only F64 and F32"}.
 */
public class ModelFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
