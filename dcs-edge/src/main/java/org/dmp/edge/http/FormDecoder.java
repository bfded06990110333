package org.dmp.edge.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dmp.taxonomy.Signals;

/**
 * Strict {@code application/x-www-form-urlencoded} decoding of a query string or a POST body.
 *
 * <p>Stricter than the decoders of HTTP libraries, which repair bad input silently: a malformed
 * percent escape, bytes that are not UTF-8, too many keys or an over-long key make the whole call
 * invalid, so that what is stored is exactly what the tag sent. Values are returned still split at
 * unescaped commas, so that {@code c_color=red,blue} is two values while {@code %2C} stays a comma
 * inside one value.
 *
 * <p>Not thread-safe: one per event loop.
 */
public final class FormDecoder {
  private final int maxKeys;
  private final int maxKeyLength;
  private final boolean splitAtCommas;

  /**
   * Strict: reports bytes that are not UTF-8 instead of replacing them. Reused, so a decoder serves
   * one thread.
   */
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

  /** One key and its values, decoded. */
  public record Param(String key, List<String> values) {}

  /** A decoder for DCS calls, where an unescaped comma separates values. */
  public FormDecoder(int maxKeys, int maxKeyLength) {
    this(maxKeys, maxKeyLength, true);
  }

  /**
   * @param splitAtCommas false where a comma belongs to the value, as in a redirect URL
   */
  public FormDecoder(int maxKeys, int maxKeyLength, boolean splitAtCommas) {
    this.maxKeys = maxKeys;
    this.maxKeyLength = maxKeyLength;
    this.splitAtCommas = splitAtCommas;
  }

  /**
   * @param raw the encoded form, as bytes (a body) or as the ISO-8859-1 bytes of a request line
   * @throws InvalidHit naming what is wrong
   */
  public List<Param> decode(byte[] raw) {
    List<Param> params = new ArrayList<>();
    int start = 0;
    while (start <= raw.length) {
      int end = indexOf(raw, (byte) '&', start, raw.length);
      if (end > start) {
        if (params.size() == maxKeys) {
          throw new InvalidHit("more than " + maxKeys + " keys");
        }
        params.add(param(raw, start, end));
      }
      start = end + 1;
    }
    return params;
  }

  /** Decodes a query string as a request line carries it (one char per byte). */
  public List<Param> decode(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return List.of();
    }
    for (int i = 0; i < rawQuery.length(); i++) {
      if (rawQuery.charAt(i) > 0xFF) {
        throw new InvalidHit(
            "the query holds a character that is not a byte: percent-encode it as UTF-8");
      }
    }
    return decode(rawQuery.getBytes(StandardCharsets.ISO_8859_1));
  }

  private Param param(byte[] raw, int start, int end) {
    int equals = indexOf(raw, (byte) '=', start, end);
    String key = text(raw, start, equals, null);
    if (key.isEmpty()) {
      throw new InvalidHit("a parameter has an empty key");
    }
    if (key.length() > maxKeyLength) {
      throw new InvalidHit(
          "key '" + key.substring(0, 32) + "...' is longer than " + maxKeyLength + " characters");
    }
    if (equals >= end) {
      return new Param(key, List.of());
    }
    int valueStart = equals + 1;
    int firstComma = splitAtCommas ? indexOf(raw, (byte) ',', valueStart, end) : end;
    if (firstComma == end) {
      // Most keys carry one value: no list to grow and copy.
      return new Param(
          key, valueStart == end ? List.of() : List.of(text(raw, valueStart, end, key)));
    }
    List<String> values = new ArrayList<>();
    while (valueStart <= end) {
      int comma = indexOf(raw, (byte) ',', valueStart, end);
      if (comma > valueStart) {
        values.add(text(raw, valueStart, comma, key));
      }
      valueStart = comma + 1;
    }
    return new Param(key, List.copyOf(values));
  }

  /**
   * @param valueOf the key whose value this is, or null for the key itself: named only in errors
   */
  private String text(byte[] raw, int start, int end, String valueOf) {
    if (plainAscii(raw, start, end)) {
      // Most keys and values need no decoding at all: skip the buffer and the UTF-8 decoder.
      return new String(raw, start, end - start, StandardCharsets.ISO_8859_1);
    }
    ByteBuffer bytes = ByteBuffer.allocate(end - start);
    for (int i = start; i < end; i++) {
      byte b = raw[i];
      if (b == '%') {
        if (i + 2 >= end || hex(raw[i + 1]) < 0 || hex(raw[i + 2]) < 0) {
          // The offending bytes are not echoed: they may belong to a p_ value.
          throw new InvalidHit(
              "malformed percent-encoding in the "
                  + what(valueOf)
                  + ": '%' must be followed by two hex digits");
        }
        bytes.put((byte) (hex(raw[i + 1]) << 4 | hex(raw[i + 2])));
        i += 2;
      } else {
        bytes.put(b == '+' ? (byte) ' ' : b);
      }
    }
    bytes.flip();
    try {
      return utf8.reset().decode(bytes).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidHit("the " + what(valueOf) + " is not valid UTF-8 once percent-decoded");
    }
  }

  private static String what(String valueOf) {
    return valueOf == null ? "key" : "value of '" + valueOf + "'";
  }

  private static boolean plainAscii(byte[] raw, int start, int end) {
    for (int i = start; i < end; i++) {
      byte b = raw[i];
      if (b < 0 || b == '%' || b == '+') {
        return false;
      }
    }
    return true;
  }

  private static int hex(byte b) {
    return Character.digit(b, 16);
  }

  /** The first {@code wanted} in [from, to), or {@code to}. */
  private static int indexOf(byte[] raw, byte wanted, int from, int to) {
    for (int i = from; i < to; i++) {
      if (raw[i] == wanted) {
        return i;
      }
    }
    return to;
  }

  /** The params as a map of key to values, repeated keys merged in order. */
  public static Map<String, List<String>> merged(List<Param> params) {
    Map<String, List<String>> merged = new java.util.LinkedHashMap<>();
    params.forEach(param -> Signals.append(merged, param.key(), param.values()));
    return merged;
  }
}
