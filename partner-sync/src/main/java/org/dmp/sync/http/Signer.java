package org.dmp.sync.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.dmp.avro.Signing;
import org.dmp.runtime.BodySignature;

/**
 * Signs a request body as Audience Manager does: HMAC of the body, base64, in a configured header.
 *
 * <p>Rotation: the secret's environment variable may hold two secrets separated by a comma, the new
 * one first. The header then carries both signatures, comma-separated, so the partner accepts the
 * request with whichever secret it holds while the two sides switch over. {@link
 * BodySignature#verifies} is the partner's side of that check.
 */
public final class Signer {
  private final String algorithm;
  private final String header;
  private final List<byte[]> secrets;

  private Signer(String algorithm, String header, List<byte[]> secrets) {
    this.algorithm = algorithm;
    this.header = header;
    this.secrets = secrets;
  }

  /**
   * @param environment looks up environment variables by name
   * @throws IllegalArgumentException naming the variable when it is unset or empty, or the
   *     algorithm when unknown
   */
  public static Signer of(Signing signing, Function<String, Optional<String>> environment) {
    String value = environment.apply(signing.getSecretEnv()).orElse("").trim();
    if (value.isEmpty()) {
      throw new IllegalArgumentException(
          "the signing secret's environment variable " + signing.getSecretEnv() + " is not set");
    }
    List<byte[]> secrets = new ArrayList<>();
    for (String secret : value.split(",", -1)) {
      if (!secret.isBlank()) {
        secrets.add(secret.trim().getBytes(StandardCharsets.UTF_8));
      }
    }
    if (secrets.size() > 2) {
      throw new IllegalArgumentException(
          signing.getSecretEnv()
              + " holds "
              + secrets.size()
              + " secrets; at most two (new,old) during a rotation");
    }
    Signer signer = new Signer(signing.getAlgorithm(), signing.getHeader(), List.copyOf(secrets));
    signer.sign(new byte[0]);
    return signer;
  }

  public String header() {
    return header;
  }

  /** The header's value for this body: one signature per secret. */
  public String sign(byte[] body) {
    StringBuilder value = new StringBuilder();
    for (byte[] secret : secrets) {
      value
          .append(value.length() == 0 ? "" : ",")
          .append(BodySignature.sign(algorithm, secret, body));
    }
    return value.toString();
  }
}
