package org.dmp.sync.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.dmp.avro.Signing;

/**
 * Signs a request body as Audience Manager does: HMAC of the body, base64, in a configured header.
 *
 * <p>Rotation: the secret's environment variable may hold two secrets separated by a comma, the
 * new one first. The header then carries both signatures, comma-separated, so the partner accepts
 * the request with whichever secret it holds while the two sides switch over. {@link #verifies}
 * is the partner's side of that check.
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
   * @throws IllegalArgumentException naming the variable when it is unset or empty, or the algorithm when unknown
   */
  public static Signer of(Signing signing, Function<String, Optional<String>> environment) {
    String value = environment.apply(signing.getSecretEnv()).orElse("").trim();
    if (value.isEmpty()) {
      throw new IllegalArgumentException("the signing secret's environment variable " + signing.getSecretEnv() + " is not set");
    }
    List<byte[]> secrets = new ArrayList<>();
    for (String secret : value.split(",")) {
      if (!secret.isBlank()) {
        secrets.add(secret.trim().getBytes(StandardCharsets.UTF_8));
      }
    }
    if (secrets.size() > 2) {
      throw new IllegalArgumentException(signing.getSecretEnv() + " holds " + secrets.size() + " secrets; at most two (new,old) during a rotation");
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
      value.append(value.length() == 0 ? "" : ",").append(signature(algorithm, secret, body));
    }
    return value.toString();
  }

  /** Whether a header value carries a valid signature of {@code body} under any of {@code secrets}: what a partner checks. */
  public static boolean verifies(String algorithm, List<String> secrets, byte[] body, String headerValue) {
    if (headerValue == null) {
      return false;
    }
    for (String offered : headerValue.split(",")) {
      for (String secret : secrets) {
        byte[] expected = signature(algorithm, secret.getBytes(StandardCharsets.UTF_8), body).getBytes(StandardCharsets.US_ASCII);
        if (MessageDigest.isEqual(expected, offered.trim().getBytes(StandardCharsets.US_ASCII))) {
          return true;
        }
      }
    }
    return false;
  }

  private static String signature(String algorithm, byte[] secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(secret, algorithm));
      return Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with " + algorithm + ": " + e.getMessage(), e);
    }
  }
}
