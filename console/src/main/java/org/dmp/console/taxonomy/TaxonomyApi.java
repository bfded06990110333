package org.dmp.console.taxonomy;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dmp.console.access.JsonError;
import org.dmp.taxonomy.TaxonomyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The taxonomy API: the handlers of the document's taxonomy operations, which reach them once the
 * OpenAPI router has checked the request against the document. Items are shaped as in the taxonomy
 * file; each change is checked by the file's own validator and published as a new revision ({@link
 * TaxonomyStore}). Answers carry the revision they reflect as their ETag.
 */
public final class TaxonomyApi {
  private static final Logger LOG = LoggerFactory.getLogger(TaxonomyApi.class);
  private static final Pattern PROBLEM = Pattern.compile("(\\$[^ :]*)(.*?): (.*)", Pattern.DOTALL);
  private static final Pattern REVISION = Pattern.compile("(?:W/)?\"?(\\d+)\"?");

  private final TaxonomyStore store;

  public TaxonomyApi(TaxonomyStore store) {
    this.store = store;
  }

  /** Hands each of the document's taxonomy operations to its handler. */
  public void mount(RouterBuilder builder) {
    for (Collection kind : Collection.values()) {
      String one = operationSuffix(kind);
      builder.getRoute("list" + one + "s").addHandler(context -> list(context, kind));
      builder.getRoute("create" + one).addHandler(context -> create(context, kind));
      builder.getRoute("get" + one).addHandler(context -> get(context, kind));
      builder.getRoute("replace" + one).addHandler(context -> replace(context, kind));
      builder.getRoute("delete" + one).addHandler(context -> delete(context, kind));
    }
    builder.getRoute("listFolders").addHandler(this::listFolders);
    builder.getRoute("createFolder").addHandler(TaxonomyApi::createFolder);
    builder.getRoute("getFolder").addHandler(this::getFolder);
    builder.getRoute("moveFolder").addHandler(this::moveFolder);
    builder.getRoute("deleteFolder").addHandler(this::deleteFolder);
    builder.getRoute("getTaxonomy").addHandler(this::getTaxonomy);
    builder.getRoute("replaceTaxonomy").addHandler(this::replaceTaxonomy);
  }

  /** The operations' names: listTraits, getTrait, listDataSources, ... */
  private static String operationSuffix(Collection kind) {
    return switch (kind) {
      case DATA_SOURCES -> "DataSource";
      case TRAITS -> "Trait";
      case SEGMENTS -> "Segment";
      case DESTINATIONS -> "Destination";
    };
  }

  private void list(RoutingContext context, Collection kind) {
    TaxonomyStore.InForce now = store.inForce();
    answer(context, 200, kind.items(now.file()), now.revision());
  }

  private void get(RoutingContext context, Collection kind) {
    long id = id(context);
    TaxonomyStore.InForce now = store.inForce();
    kind.find(now.file(), id)
        .ifPresentOrElse(
            item -> answer(context, 200, item, now.revision()),
            () -> JsonError.send(context, 404, "no " + kind.noun() + " " + id));
  }

  private void create(RoutingContext context, Collection kind) {
    JsonObject item = body(context);
    AtomicReference<String> itemPath = new AtomicReference<>();
    change(
        context,
        itemPath,
        file -> itemPath.set(path(kind, kind.add(file, item))),
        published -> {
          JsonObject added = at(published.file(), itemPath.get());
          context
              .response()
              .putHeader("Location", "/api/" + kind.path() + "/" + added.getValue("id"));
          answer(context, 201, added, published.applied().revision());
        });
  }

  private void replace(RoutingContext context, Collection kind) {
    JsonObject item = body(context);
    long id = id(context);
    AtomicReference<String> itemPath = new AtomicReference<>();
    change(
        context,
        itemPath,
        file -> itemPath.set(path(kind, kind.replace(file, id, item))),
        published ->
            answer(
                context,
                200,
                at(published.file(), itemPath.get()),
                published.applied().revision()));
  }

  private void delete(RoutingContext context, Collection kind) {
    long id = id(context);
    change(context, null, file -> kind.remove(file, id), published -> revision(context, published));
  }

  private void listFolders(RoutingContext context) {
    TaxonomyStore.InForce now = store.inForce();
    answer(context, 200, new JsonArray(Folders.list(now.file())), now.revision());
  }

  private void getFolder(RoutingContext context) {
    String id = context.pathParam("id");
    TaxonomyStore.InForce now = store.inForce();
    Folders.find(now.file(), id)
        .ifPresentOrElse(
            folder -> answer(context, 200, folder, now.revision()),
            () -> JsonError.send(context, 404, "no folder " + id + ": nothing is filed in it"));
  }

  private static void createFolder(RoutingContext context) {
    JsonError.send(
        context,
        409,
        "a folder exists while a trait or segment is filed in it: set the item's folder"
            + " (\"folder\": \"Retail/Shoes\") and the folder is there");
  }

  private void moveFolder(RoutingContext context) {
    String id = context.pathParam("id");
    JsonObject body = body(context);
    AtomicReference<String> moved = new AtomicReference<>();
    change(
        context,
        null,
        file -> moved.set(Folders.move(file, id, body.getString("name"), body.getString("parent"))),
        published -> {
          context
              .response()
              .putHeader(
                  "Location",
                  "/api/folders/" + URLEncoder.encode(moved.get(), StandardCharsets.UTF_8));
          answer(
              context,
              200,
              Folders.find(published.file(), moved.get()).orElseThrow(),
              published.applied().revision());
        });
  }

  private void deleteFolder(RoutingContext context) {
    String id = context.pathParam("id");
    Folders.find(store.inForce().file(), id)
        .ifPresentOrElse(
            folder ->
                JsonError.send(
                    context,
                    409,
                    "folder "
                        + id
                        + " holds "
                        + folder.getJsonArray(Collection.TRAITS.field()).size()
                        + " traits, "
                        + folder.getJsonArray(Collection.SEGMENTS.field()).size()
                        + " segments and "
                        + folder.getJsonArray("folders").size()
                        + " folders: move or delete them, and it is gone"),
            () -> JsonError.send(context, 404, "no folder " + id + ": nothing is filed in it"));
  }

  private void getTaxonomy(RoutingContext context) {
    TaxonomyStore.InForce now = store.inForce();
    answer(context, 200, now.file(), now.revision());
  }

  private void replaceTaxonomy(RoutingContext context) {
    JsonObject taxonomy = body(context);
    change(
        context,
        null,
        file -> {
          file.clear();
          file.mergeIn(taxonomy);
        },
        published -> revision(context, published));
  }

  /**
   * Makes a change and answers with {@code done}, or with why it was refused.
   *
   * @param itemPath where the changed item is in the file, once known: problems within it also name
   *     their field in it
   */
  private void change(
      RoutingContext context,
      AtomicReference<String> itemPath,
      TaxonomyStore.Change change,
      Handler<TaxonomyStore.Published> done) {
    Long expected;
    try {
      expected = expectedRevision(context);
    } catch (ApiException e) {
      JsonError.send(context, e.status(), e.getMessage());
      return;
    }
    store
        .change(expected, change)
        .onSuccess(done)
        .onFailure(failure -> refused(context, failure, itemPath == null ? null : itemPath.get()));
  }

  private static void refused(RoutingContext context, Throwable failure, String itemPath) {
    if (failure instanceof ApiException refused) {
      JsonError.send(context, refused.status(), refused.getMessage());
    } else if (failure instanceof TaxonomyException invalid) {
      JsonArray problems = new JsonArray();
      invalid.problems().forEach(problem -> problems.add(problem(problem, itemPath)));
      JsonError.send(
          context,
          422,
          new JsonObject()
              .put("error", "the taxonomy would be invalid: " + problems.size() + " problem(s)")
              .put("problems", problems));
    } else if (failure instanceof TimeoutException) {
      JsonError.send(context, 503, failure.getMessage());
    } else {
      LOG.error("A taxonomy change failed: {}", failure.toString(), failure);
      JsonError.send(context, 500, "the change failed: " + failure);
    }
  }

  /**
   * One of the validator's problems ({@code $.traits[3].rule: message}) as JSON: its path, its
   * message and, when it lies in the item sent, the field within that item.
   */
  static JsonObject problem(String problem, String itemPath) {
    Matcher matcher = PROBLEM.matcher(problem);
    if (!matcher.matches()) {
      return new JsonObject().put("path", "$").put("message", problem);
    }
    String path = matcher.group(1);
    JsonObject json =
        new JsonObject()
            .put("path", path)
            .put("message", (matcher.group(2) + " " + matcher.group(3)).strip());
    if (itemPath != null && (path.equals(itemPath) || path.startsWith(itemPath + "."))) {
      json.put("field", path.equals(itemPath) ? "" : path.substring(itemPath.length() + 1));
    }
    return json;
  }

  private static String path(Collection kind, int index) {
    return "$." + kind.field() + "[" + index + "]";
  }

  /** The item at a path of the form {@code $.traits[3]}. */
  private static JsonObject at(JsonObject file, String itemPath) {
    int open = itemPath.indexOf('[');
    String field = itemPath.substring(2, open);
    int index = Integer.parseInt(itemPath.substring(open + 1, itemPath.length() - 1));
    return file.getJsonArray(field).getJsonObject(index);
  }

  private static void revision(RoutingContext context, TaxonomyStore.Published published) {
    answer(
        context,
        200,
        new JsonObject()
            .put("revision", published.applied().revision())
            .put("items", published.applied().items())
            .put("removed", new JsonArray(published.applied().removed())),
        published.applied().revision());
  }

  private static void answer(RoutingContext context, int status, Object body, long revision) {
    context
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .putHeader("ETag", "\"" + revision + "\"")
        .end(body instanceof JsonArray array ? array.encode() : ((JsonObject) body).encode());
  }

  private static long id(RoutingContext context) {
    return Long.parseLong(context.pathParam("id"));
  }

  private static JsonObject body(RoutingContext context) {
    return context.body().asJsonObject();
  }

  private static Long expectedRevision(RoutingContext context) {
    String ifMatch = context.request().getHeader("If-Match");
    if (ifMatch == null || ifMatch.strip().equals("*")) {
      return null;
    }
    Matcher matcher = REVISION.matcher(ifMatch.strip());
    if (!matcher.matches()) {
      throw new ApiException(
          400, "If-Match: must be a revision as the ETag gives it (\"12\"), was " + ifMatch);
    }
    return Long.parseLong(matcher.group(1));
  }
}
