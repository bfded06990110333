package org.dmp.console.taxonomy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * One kind of taxonomy item as the API names it ({@code /api/traits}) and as the taxonomy file
 * holds it ({@code traits}), with the changes the API makes to the file's list.
 */
public enum Collection {
  DATA_SOURCES("datasources", "dataSources", "data source"),
  TRAITS("traits", "traits", "trait"),
  SEGMENTS("segments", "segments", "segment"),
  DESTINATIONS("destinations", "destinations", "destination");

  private final String path;
  private final String field;
  private final String noun;

  Collection(String path, String field, String noun) {
    this.path = path;
    this.field = field;
    this.noun = noun;
  }

  /** Its name in the API's paths. */
  public String path() {
    return path;
  }

  /** Its field in the taxonomy file. */
  public String field() {
    return field;
  }

  public String noun() {
    return noun;
  }

  /** The file's list of these items, added to the file if it had none. */
  JsonArray items(JsonObject file) {
    JsonArray items = file.getJsonArray(field);
    if (items == null) {
      items = new JsonArray();
      file.put(field, items);
    }
    return items;
  }

  Optional<JsonObject> find(JsonObject file, long id) {
    int index = indexOf(file, id);
    return index < 0 ? Optional.empty() : Optional.of(items(file).getJsonObject(index));
  }

  /** Where the item with this id is in the file's list; -1 if nowhere. */
  int indexOf(JsonObject file, long id) {
    JsonArray items = items(file);
    for (int index = 0; index < items.size(); index++) {
      Object itemId = items.getJsonObject(index).getValue("id");
      if (itemId instanceof Number number && number.longValue() == id) {
        return index;
      }
    }
    return -1;
  }

  /**
   * Adds {@code item}, with the next free id if it names none.
   *
   * @return where it is in the file's list
   */
  int add(JsonObject file, JsonObject item) {
    JsonArray items = items(file);
    Object id = item.getValue("id");
    if (id == null) {
      long highest = 0;
      for (int index = 0; index < items.size(); index++) {
        if (items.getJsonObject(index).getValue("id") instanceof Number number) {
          highest = Math.max(highest, number.longValue());
        }
      }
      item.put("id", highest + 1);
    } else if (id instanceof Number number && indexOf(file, number.longValue()) >= 0) {
      throw new ApiException(
          409, noun + " " + number + " exists already: PUT /api/" + path + "/" + number);
    }
    items.add(item);
    return items.size() - 1;
  }

  /**
   * Replaces the item with this id by {@code item}, which names the same id or none.
   *
   * @return where it is in the file's list
   */
  int replace(JsonObject file, long id, JsonObject item) {
    int index = existing(file, id);
    Object given = item.getValue("id");
    if (given == null) {
      item.put("id", id);
    } else if (!(given instanceof Number number) || number.longValue() != id) {
      throw new ApiException(
          400, "the body's id (" + given + ") is not the id in the path (" + id + ")");
    }
    items(file).set(index, item);
    return index;
  }

  void remove(JsonObject file, long id) {
    items(file).remove(existing(file, id));
  }

  private int existing(JsonObject file, long id) {
    int index = indexOf(file, id);
    if (index < 0) {
      throw new ApiException(404, "no " + noun + " " + id);
    }
    return index;
  }
}
