package org.dmp.taxonomy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Reads the fields of one JSON object of the taxonomy file, noting every problem with the field's
 * JSON path ({@code $.traits[2].rule}) instead of stopping at the first; fields it was never asked
 * for are reported as unknown by {@link #done()}.
 */
final class JsonFields {
  private final JsonObject object;
  private final String path;
  private final List<String> problems;
  private final Set<String> read = new TreeSet<>();

  JsonFields(JsonObject object, String path, List<String> problems) {
    this.object = object;
    this.path = path;
    this.problems = problems;
  }

  String path(String field) {
    return path + "." + field;
  }

  void problem(String field, String text) {
    problems.add(path(field) + ": " + text);
  }

  Optional<Long> optionalId(String field) {
    read.add(field);
    Object value = object.getValue(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Number number)
        || number.doubleValue() != Math.floor(number.doubleValue())
        || number.longValue() <= 0) {
      problem(field, "must be a positive whole number, was " + describe(value));
      return Optional.empty();
    }
    return Optional.of(number.longValue());
  }

  Optional<Long> id(String field) {
    Optional<Long> id = optionalId(field);
    if (id.isEmpty() && object.getValue(field) == null) {
      problem(field, "is required");
    }
    return id;
  }

  Optional<String> optionalText(String field) {
    read.add(field);
    Object value = object.getValue(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text) || text.isBlank()) {
      problem(field, "must be a non-empty string, was " + describe(value));
      return Optional.empty();
    }
    return Optional.of(text);
  }

  Optional<String> text(String field) {
    Optional<String> text = optionalText(field);
    if (text.isEmpty() && object.getValue(field) == null) {
      problem(field, "is required");
    }
    return text;
  }

  Optional<Integer> optionalCount(String field, int min, int max) {
    read.add(field);
    Object value = object.getValue(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Number number)
        || number.doubleValue() != Math.floor(number.doubleValue())
        || number.longValue() < min
        || number.longValue() > max) {
      problem(
          field, "must be a whole number from " + min + " to " + max + ", was " + describe(value));
      return Optional.empty();
    }
    return Optional.of(number.intValue());
  }

  Optional<Boolean> optionalBoolean(String field) {
    return optionalOf(field, Boolean.class, "true or false");
  }

  Optional<JsonObject> optionalObject(String field) {
    return optionalOf(field, JsonObject.class, "an object");
  }

  /** The field's value when it is a {@code type}; a problem saying it must be {@code expected}. */
  private <T> Optional<T> optionalOf(String field, Class<T> type, String expected) {
    read.add(field);
    Object value = object.getValue(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!type.isInstance(value)) {
      problem(field, "must be " + expected + ", was " + describe(value));
      return Optional.empty();
    }
    return Optional.of(type.cast(value));
  }

  /** An array of non-empty strings; empty when absent. */
  List<String> optionalTexts(String field) {
    Optional<JsonArray> given = optionalOf(field, JsonArray.class, "an array of strings");
    if (given.isEmpty()) {
      return List.of();
    }
    JsonArray array = given.get();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      Object element = array.getValue(i);
      if (element instanceof String text && !text.isBlank()) {
        texts.add(text);
      } else {
        problems.add(
            path(field) + "[" + i + "]: must be a non-empty string, was " + describe(element));
      }
    }
    return texts;
  }

  /** Each element of an array field that is an object, with its own fields and path. */
  void eachObject(String field, Consumer<JsonFields> reader) {
    Optional<JsonArray> given = optionalOf(field, JsonArray.class, "an array");
    if (given.isEmpty()) {
      return;
    }
    JsonArray array = given.get();
    for (int i = 0; i < array.size(); i++) {
      Object element = array.getValue(i);
      String elementPath = path(field) + "[" + i + "]";
      if (element instanceof JsonObject json) {
        JsonFields fields = new JsonFields(json, elementPath, problems);
        reader.accept(fields);
        fields.done();
      } else {
        problems.add(elementPath + ": must be an object, was " + describe(element));
      }
    }
  }

  /** The fields of a nested object, read with their own path. */
  JsonFields nested(String field, JsonObject json) {
    return new JsonFields(json, path(field), problems);
  }

  /** Reports the fields nobody asked for. */
  void done() {
    new TreeSet<>(object.fieldNames())
        .stream()
            .filter(name -> !read.contains(name))
            .forEach(name -> problems.add(path(name) + ": unknown field"));
  }

  static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String text) {
      return "\"" + text + "\"";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    if (value instanceof JsonArray) {
      return "an array";
    }
    return value.toString();
  }
}
