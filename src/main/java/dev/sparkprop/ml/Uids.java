package dev.sparkprop.ml;

import org.apache.spark.ml.util.Identifiable$;

/**
 * Hands a uid to an Estimator or Model before its Spark superclass constructor runs: that
 * constructor already calls {@code uid()} (to create the shared column params), before a Java
 * subclass can assign a field. The public {@code (String uid)} constructor stashes the uid here
 * and delegates; {@code uid()} takes it on its first call and keeps it in a field.
 */
final class Uids {
  private Uids() {}

  /** Marks the delegating constructor; carries nothing. */
  static final class Token {
    private Token() {}
  }

  private static final ThreadLocal<String> PENDING = new ThreadLocal<>();
  private static final Token TOKEN = new Token();

  /** Stashes {@code uid} for the constructor about to run on this thread. */
  static Token stash(String uid) {
    if (uid == null || uid.isEmpty()) {
      throw new IllegalArgumentException("uid must be a non-empty string");
    }
    PENDING.set(uid);
    return TOKEN;
  }

  /** The stashed uid, for {@code uid()}'s first call. */
  static String take() {
    String uid = PENDING.get();
    if (uid == null) {
      throw new IllegalStateException("no uid stashed: construct through a public constructor");
    }
    return uid;
  }

  /** Clears the stash once the constructor has its uid. */
  static void done() {
    PENDING.remove();
  }

  static String random(String prefix) {
    return Identifiable$.MODULE$.randomUID(prefix);
  }
}
