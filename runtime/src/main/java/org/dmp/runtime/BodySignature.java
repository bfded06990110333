package org.dmp.runtime;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Audience Manager's request signature: the HMAC of the body, base64-encoded. A header may carry
 * several, comma-separated, while a secret is rotated. Both sides of the check live here: the
 * sender's ({@code partner-sync}) and the partner's (the sample partner).
 */
public final class BodySignature {
  private BodySignature() {}

  /**
   * @throws IllegalArgumentException when the JVM does not know the algorithm
   */
  public static String sign(String algorithm, byte[] secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(secret, algorithm));
      return Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot sign with " + algorithm + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether a header value carries a valid signature of {@code body} under any of {@code secrets}:
   * what a partner checks.
   */
  public static boolean verifies(
      String algorithm, List<String> secrets, byte[] body, String headerValue) {
    if (headerValue == null) {
      return false;
    }
    for (String offered : headerValue.split(",", -1)) {
      for (String secret : secrets) {
        byte[] expected =
            sign(algorithm, secret.getBytes(StandardCharsets.UTF_8), body)
                .getBytes(StandardCharsets.US_ASCII);
        if (MessageDigest.isEqual(expected, offered.trim().getBytes(StandardCharsets.US_ASCII))) {
          return true;
        }
      }
    }
    return false;
  }
}
