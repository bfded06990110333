package org.dmp.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Each topic schema against its last released copy under {@code released/} (main resources, where
 * the decoders find the writer schemas of old records): new readers must read old records
 * (backward) and old readers, such as partners' consumers, new ones (forward). After a release,
 * copy the schemas there anew.
 */
class SchemaCompatibilityTest {
  static final List<Schema> SCHEMAS = KnownSchemas.TOPIC_RECORDS;

  @ParameterizedTest(name = "{0}")
  @FieldSource("SCHEMAS")
  void currentSchemaIsCompatibleWithItsReleasedCopyBothWays(Schema current) {
    Schema released = released(current.getName());

    assertCompatible(
        "backward: the current schema reads records written with the released one",
        current,
        released);
    assertCompatible(
        "forward: the released schema reads records written with the current one",
        released,
        current);
  }

  @Test
  void theCheckRefusesAFieldAddedWithoutDefault() {
    Schema before =
        new Schema.Parser()
            .parse(
                """
        {"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]}""");
    Schema after =
        new Schema.Parser()
            .parse(
                """
        {"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "long"}]}""");

    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(after, before).getType())
        .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }

  private static void assertCompatible(String direction, Schema reader, Schema writer) {
    SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    assertThat(result.getType())
        .as("%s %s: %s", reader.getName(), direction, result.getResult().getIncompatibilities())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  private static Schema released(String name) {
    return KnownSchemas.RELEASED_RECORDS.stream()
        .filter(schema -> schema.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
