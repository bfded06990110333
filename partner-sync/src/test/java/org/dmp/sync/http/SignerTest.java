package org.dmp.sync.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.dmp.avro.Signing;
import org.dmp.runtime.BodySignature;
import org.junit.jupiter.api.Test;

class SignerTest {
  private static final byte[] BODY = "{\"User_count\":\"1\"}".getBytes(StandardCharsets.UTF_8);

  private static Signer signer(String algorithm, String secrets) {
    return Signer.of(
        new Signing(algorithm, "X-Signature", "SECRET"),
        name -> Optional.ofNullable(Map.of("SECRET", secrets).get(name)));
  }

  @Test
  void theSignatureIsTheBase64HmacOfTheBody() throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    assertThat(signer("HmacSHA256", "s3cret").sign(BODY))
        .isEqualTo(Base64.getEncoder().encodeToString(mac.doFinal(BODY)));
  }

  @Test
  void duringARotationBothSecretsSignAndAPartnerHoldingEitherAccepts() {
    String header = signer("HmacSHA1", "new,old").sign(BODY);
    assertThat(header.split(",")).hasSize(2);
    assertThat(BodySignature.verifies("HmacSHA1", List.of("old"), BODY, header)).isTrue();
    assertThat(BodySignature.verifies("HmacSHA1", List.of("new"), BODY, header)).isTrue();
    assertThat(BodySignature.verifies("HmacSHA1", List.of("other"), BODY, header)).isFalse();
    assertThat(
            BodySignature.verifies(
                "HmacSHA1", List.of("new"), "tampered".getBytes(StandardCharsets.UTF_8), header))
        .isFalse();
    assertThat(BodySignature.verifies("HmacSHA1", List.of("new"), BODY, null)).isFalse();
  }

  @Test
  void aPartnerAcceptsTwoSecretsWhileItRotates() {
    String signedWithNew = signer("HmacMD5", "new").sign(BODY);
    assertThat(BodySignature.verifies("HmacMD5", List.of("old", "new"), BODY, signedWithNew))
        .isTrue();
  }

  @Test
  void aMissingSecretNamesItsVariable() {
    assertThatThrownBy(
            () ->
                Signer.of(
                    new Signing("HmacSHA256", "X-Signature", "DSP_SECRET"),
                    name -> Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DSP_SECRET");
    assertThatThrownBy(() -> signer("HmacSHA256", "a,b,c")).hasMessageContaining("at most two");
  }
}
