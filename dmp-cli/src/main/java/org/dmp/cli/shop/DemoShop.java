package org.dmp.cli.shop;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The demo's shop: category and product pages and a cart, each carrying the project's tag ({@code
 * dmp.js}, from the edge) with the page's signals, as a customer's site would. The cart is kept in
 * a first-party cookie. Served on the edge's host, so that the edge's visitor cookie and the
 * cookies the tag writes are first-party to the shop.
 */
public final class DemoShop extends VerticleBase {
  private static final String CART = "cart";

  record Product(String id, String name, String category, int price) {}

  private static final List<Product> PRODUCTS =
      List.of(
          new Product("runner", "Trail runner", "shoes", 120),
          new Product("loafer", "Leather loafer", "shoes", 95),
          new Product("sneaker", "Canvas sneaker", "shoes", 60),
          new Product("fedora", "Wool fedora", "hats", 45),
          new Product("cap", "Baseball cap", "hats", 20));

  private final String host;
  private final int port;
  private final String edge;
  private HttpServer server;

  /**
   * @param edge the edge's base URL, which serves the tag and takes its calls
   */
  public DemoShop(String host, int port, String edge) {
    this.host = host;
    this.port = port;
    this.edge = edge;
  }

  /** The shop's base URL, once started. */
  public String url() {
    return "http://" + host + ":" + server.actualPort() + "/";
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router
        .get("/")
        .handler(context -> page(context, "Demo shop", Map.of("c_page", "home"), home()));
    router.get("/category/:category").handler(this::category);
    router.get("/product/:id").handler(this::product);
    router.get("/cart").handler(this::cart);
    return vertx
        .createHttpServer()
        .requestHandler(router)
        .listen(port, host)
        .onSuccess(listening -> server = listening);
  }

  private static String home() {
    return "<p>Shoes and hats since the demo started.</p>"
        + "<ul><li><a href=\"/category/shoes\">Shoes</a></li>"
        + "<li><a href=\"/category/hats\">Hats</a></li></ul>";
  }

  private void category(RoutingContext context) {
    String category = context.pathParam("category");
    List<Product> products =
        PRODUCTS.stream().filter(product -> product.category().equals(category)).toList();
    if (products.isEmpty()) {
      context.response().setStatusCode(404).end("no such category");
      return;
    }
    page(
        context,
        capitalized(category),
        Map.of("c_category", category, "c_page", "category"),
        products.stream()
            .map(
                product ->
                    "<li><a href=\"/product/"
                        + product.id()
                        + "\">"
                        + product.name()
                        + "</a> $"
                        + product.price()
                        + "</li>")
            .collect(Collectors.joining("", "<ul class=\"products\">", "</ul>")));
  }

  private void product(RoutingContext context) {
    Product product = find(context.pathParam("id"));
    if (product == null) {
      context.response().setStatusCode(404).end("no such product");
      return;
    }
    page(
        context,
        product.name(),
        Map.of("c_category", product.category(), "c_page", "product", "c_product", product.id()),
        "<p>$"
            + product.price()
            + "</p><p><a id=\"add\" href=\"/cart?add="
            + product.id()
            + "\">Add to cart</a></p>");
  }

  private void cart(RoutingContext context) {
    List<String> items = new ArrayList<>();
    var cookie = context.request().getCookie(CART);
    if (cookie != null && !cookie.getValue().isEmpty()) {
      items.addAll(List.of(cookie.getValue().split("\\.")));
    }
    String added = context.request().getParam("add");
    if (added != null && find(added) != null) {
      items.add(added);
      context
          .response()
          .addCookie(io.vertx.core.http.Cookie.cookie(CART, String.join(".", items)).setPath("/"));
    }
    int total =
        items.stream().map(DemoShop::find).filter(Objects::nonNull).mapToInt(Product::price).sum();
    page(
        context,
        "Cart",
        Map.of("c_page", "cart", "c_cart", Integer.toString(total)),
        items.stream()
                .map(DemoShop::find)
                .filter(Objects::nonNull)
                .map(product -> "<li>" + product.name() + " $" + product.price() + "</li>")
                .collect(Collectors.joining("", "<ul>", "</ul>"))
            + "<p id=\"total\">Total: $"
            + total
            + "</p>");
  }

  private void page(
      RoutingContext context, String title, Map<String, String> signals, String body) {
    context
        .response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .end(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
                + title
                + "</title><style>body{font:15px system-ui,sans-serif;max-width:40rem;margin:2rem"
                + " auto}nav a{margin-right:1rem}footer{margin-top:3rem;color:#666}</style></head>"
                + "<body><nav><a href=\"/\">Home</a><a href=\"/category/shoes\">Shoes</a><a"
                + " href=\"/category/hats\">Hats</a><a href=\"/cart\">Cart</a></nav><h1>"
                + title
                + "</h1>"
                + body
                + "<footer>This demo shop's tag sends what you browse to the demo's DMP. <a"
                + " id=\"optout\" href=\"#\" onclick=\"dmp.optOut(function(){"
                + "document.getElementById('optout').textContent='You are opted out.'});"
                + "return false\">Opt out</a></footer><script src=\""
                + edge
                + "/dmp.js\" data-signals='"
                + new JsonObject(new HashMap<String, Object>(signals)).encode()
                + "' async></script></body></html>");
  }

  private static Product find(String id) {
    return PRODUCTS.stream().filter(product -> product.id().equals(id)).findFirst().orElse(null);
  }

  private static String capitalized(String word) {
    return Character.toUpperCase(word.charAt(0)) + word.substring(1);
  }
}
