package org.dmp.console.taxonomy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The folders of a taxonomy file. A trait or segment is filed by its {@code folder} field, a path
 * such as {@code Retail/Shoes}; a folder is such a path, or a prefix of one. So a folder exists
 * while something is filed in it or below it, and moving a folder is rewriting the paths of what it
 * holds.
 */
final class Folders {
  private static final String SEPARATOR = "/";

  private Folders() {}

  /** Every folder, parents before their children, in path order. */
  static List<JsonObject> list(JsonObject file) {
    Map<String, JsonObject> folders = new TreeMap<>();
    for (Collection kind : List.of(Collection.TRAITS, Collection.SEGMENTS)) {
      JsonArray items = kind.items(file);
      for (int index = 0; index < items.size(); index++) {
        JsonObject item = items.getJsonObject(index);
        String path = item.getString("folder");
        if (path == null || path.isBlank()) {
          continue;
        }
        JsonObject folder = folder(folders, path);
        folder.getJsonArray(kind.field()).add(item.getValue("id"));
      }
    }
    return new ArrayList<>(folders.values());
  }

  static Optional<JsonObject> find(JsonObject file, String id) {
    return list(file).stream().filter(folder -> folder.getString("id").equals(id)).findFirst();
  }

  /**
   * Files everything in the folder {@code id} and below it under the new path {@code parent/name}.
   *
   * @return the new path
   */
  static String move(JsonObject file, String id, String name, String parent) {
    if (find(file, id).isEmpty()) {
      throw new ApiException(404, "no folder " + id + ": nothing is filed in it");
    }
    if (name == null || name.isBlank() || name.contains(SEPARATOR)) {
      throw new ApiException(400, "name: a folder's name is required, and holds no " + SEPARATOR);
    }
    String moved = parent == null || parent.isBlank() ? name : parent + SEPARATOR + name;
    if (moved.equals(id) || moved.startsWith(id + SEPARATOR)) {
      if (!moved.equals(id)) {
        throw new ApiException(409, "folder " + id + " cannot be moved into itself");
      }
      return moved;
    }
    for (Collection kind : List.of(Collection.TRAITS, Collection.SEGMENTS)) {
      JsonArray items = kind.items(file);
      for (int index = 0; index < items.size(); index++) {
        JsonObject item = items.getJsonObject(index);
        String path = item.getString("folder");
        if (path != null && (path.equals(id) || path.startsWith(id + SEPARATOR))) {
          item.put("folder", moved + path.substring(id.length()));
        }
      }
    }
    return moved;
  }

  /** The folder at {@code path}, made with its parents if new. */
  private static JsonObject folder(Map<String, JsonObject> folders, String path) {
    JsonObject folder = folders.get(path);
    if (folder != null) {
      return folder;
    }
    int last = path.lastIndexOf(SEPARATOR);
    String parent = last < 0 ? null : path.substring(0, last);
    folder =
        new JsonObject()
            .put("id", path)
            .put("name", path.substring(last + 1))
            .put("parent", parent)
            .put("folders", new JsonArray())
            .put(Collection.TRAITS.field(), new JsonArray())
            .put(Collection.SEGMENTS.field(), new JsonArray());
    folders.put(path, folder);
    if (parent != null) {
      folder(folders, parent).getJsonArray("folders").add(path);
    }
    return folder;
  }
}
