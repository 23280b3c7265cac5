package dev.lifeboat.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * One local HTTP server playing Slack, Discord, ntfy, Matrix and Mastodon, each checking a request the
 * way the real service does (method, path, headers, token, body shape, limits) and answering as it does,
 * refusals included: a malformed request is refused with the service's own kind of error, so a test
 * that sees a delivery succeed knows the request was right. Accepted messages are recorded.
 */
final class FakeServices implements AutoCloseable {
    /** The Slack webhook's path: the part of the URL that is its credential. */
    static final String SLACK_PATH = "/services/T0LIFEBOAT/B0LIFEBOAT/slackWebhookSecret9x7q";
    /** The Discord webhook's path: {@code /api/webhooks/<id>/<token>}. */
    static final String DISCORD_PATH = "/api/webhooks/112233445566/discordWebhookToken5k2w";
    static final String NTFY_TOPIC = "lifeboat-topic-s3cr3t-4e1";
    static final String NTFY_TOKEN = "tk_ntfyAccessToken8f2a";
    static final String MATRIX_ROOM = "!roomAbc123:matrix.test";
    static final String MATRIX_TOKEN = "syt_bWF0cml4_matrixAccessToken77a";
    static final String MASTODON_TOKEN = "mastodonAccessToken_3c9dXz";
    /** Every secret above: none may show up in an error, a job row or a log line. */
    static final List<String> SECRETS = List.of("slackWebhookSecret9x7q", "discordWebhookToken5k2w", NTFY_TOPIC, NTFY_TOKEN,
            MATRIX_TOKEN, MASTODON_TOKEN);

    /** A request a service accepted. */
    record Message(String service, String method, String rawPath, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    final List<Message> accepted = new CopyOnWriteArrayList<>();
    /** Why requests were refused (as the service would say). */
    final List<String> refused = new CopyOnWriteArrayList<>();
    /** Answer this status to everything while non-zero (a service that is down: 500, 502...). */
    final AtomicInteger forcedStatus = new AtomicInteger();
    /** Per service: how many of its next requests are answered 502 (a service briefly down). */
    final Map<String, AtomicInteger> failNext = new ConcurrentHashMap<>();
    private final Map<String, String> matrixTxns = new ConcurrentHashMap<>();
    private final Map<String, String> mastodonKeys = new ConcurrentHashMap<>();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;

    FakeServices() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String slackUrl() {
        return base() + SLACK_PATH;
    }

    String discordUrl() {
        return base() + DISCORD_PATH;
    }

    String ntfyUrl() {
        return base() + "/" + NTFY_TOPIC;
    }

    void reset() {
        accepted.clear();
        refused.clear();
        forcedStatus.set(0);
        failNext.clear();
    }

    List<Message> of(String service) {
        return accepted.stream().filter(m -> m.service().equals(service)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            String path = exchange.getRequestURI().getRawPath();
            String service = path.startsWith("/services/") ? "slack" : path.startsWith("/api/webhooks/") ? "discord"
                    : path.startsWith("/_matrix/") ? "matrix" : path.startsWith("/api/v1/") ? "mastodon" : "ntfy";
            Message m = new Message(service, exchange.getRequestMethod(), path, headers, body);
            if (exchange.getRequestURI().getRawQuery() != null) {
                refused.add(service + ": a query string (" + exchange.getRequestURI().getRawQuery() + ")");
            }
            AtomicInteger failing = failNext.get(service);
            if (forcedStatus.get() != 0 || failing != null && failing.getAndDecrement() > 0) {
                answer(exchange, forcedStatus.get() != 0 ? forcedStatus.get() : 502, "text/plain", "upstream unavailable");
                return;
            }
            switch (service) {
                case "slack" -> slack(exchange, m);
                case "discord" -> discord(exchange, m);
                case "matrix" -> matrix(exchange, m);
                case "mastodon" -> mastodon(exchange, m);
                default -> ntfy(exchange, m);
            }
        }
    }

    /** Slack: POST JSON with a non-empty {@code text} to the exact webhook path; answers {@code ok}. */
    private void slack(HttpExchange ex, Message m) throws IOException {
        if (!m.rawPath().equals(SLACK_PATH)) {
            refuse(ex, m, 404, "text/plain", "no_service");
        } else if (!m.method().equals("POST")) {
            refuse(ex, m, 405, "text/plain", "invalid_method");
        } else if (!startsWith(m.header("Content-Type"), "application/json")) {
            refuse(ex, m, 400, "text/plain", "invalid_payload");
        } else {
            JsonNode body = parse(m.body());
            if (body == null || !body.path("text").isTextual() || body.path("text").asText().isBlank()) {
                refuse(ex, m, 400, "text/plain", "no_text");
            } else if (body.path("text").asText().matches("(?s).*[<>].*")) {
                refuse(ex, m, 400, "text/plain", "unescaped < or > would be read as a link or mention");
            } else {
                accept(ex, m, 200, "text/plain", "ok");
            }
        }
    }

    /** Discord: POST JSON to /api/webhooks/<id>/<token>; content 1..2000 characters; answers 204. */
    private void discord(HttpExchange ex, Message m) throws IOException {
        if (!m.rawPath().equals(DISCORD_PATH)) {
            refuse(ex, m, 401, "application/json", "{\"message\": \"Invalid Webhook Token\", \"code\": 50027}");
        } else if (!m.method().equals("POST")) {
            refuse(ex, m, 405, "application/json", "{\"message\": \"405: Method Not Allowed\", \"code\": 0}");
        } else if (!startsWith(m.header("Content-Type"), "application/json")) {
            refuse(ex, m, 400, "application/json", "{\"message\": \"Cannot send an empty message\", \"code\": 50006}");
        } else {
            JsonNode body = parse(m.body());
            String content = body == null ? "" : body.path("content").asText("");
            if (content.isBlank()) {
                refuse(ex, m, 400, "application/json", "{\"message\": \"Cannot send an empty message\", \"code\": 50006}");
            } else if (content.codePointCount(0, content.length()) > 2000) {
                refuse(ex, m, 400, "application/json", "{\"content\": [\"Must be 2000 or fewer in length.\"]}");
            } else if (!body.path("allowed_mentions").path("parse").isArray() || !body.path("allowed_mentions").path("parse").isEmpty()) {
                refuse(ex, m, 400, "application/json", "{\"message\": \"this test wants allowed_mentions.parse empty\"}");
            } else {
                accept(ex, m, 204, null, "");
            }
        }
    }

    /** ntfy: POST/PUT a plain-text body to /<topic>, the topic readable only with the token; Priority checked. */
    private void ntfy(HttpExchange ex, Message m) throws IOException {
        Set<String> priorities = Set.of("1", "2", "3", "4", "5", "min", "low", "default", "high", "max", "urgent");
        if (!m.rawPath().equals("/" + NTFY_TOPIC)) {
            refuse(ex, m, 404, "application/json", "{\"code\":40401,\"http\":404,\"error\":\"page not found\"}");
        } else if (!Set.of("POST", "PUT").contains(m.method())) {
            refuse(ex, m, 405, "application/json", "{\"code\":40501,\"http\":405,\"error\":\"method not allowed\"}");
        } else if (!("Bearer " + NTFY_TOKEN).equals(m.header("Authorization"))) {
            refuse(ex, m, 403, "application/json", "{\"code\":40301,\"http\":403,\"error\":\"forbidden\"}");
        } else if (m.header("Priority") != null && !priorities.contains(m.header("Priority"))) {
            refuse(ex, m, 400, "application/json", "{\"code\":40007,\"http\":400,\"error\":\"invalid priority\"}");
        } else if (m.body().isBlank() || m.body().getBytes(StandardCharsets.UTF_8).length > 4096) {
            refuse(ex, m, 400, "application/json", "{\"code\":40000,\"http\":400,\"error\":\"this test wants a message body of 1 to 4096 bytes\"}");
        } else {
            accept(ex, m, 200, "application/json", "{\"id\":\"" + UUID.randomUUID() + "\",\"event\":\"message\",\"topic\":\"" + NTFY_TOPIC + "\"}");
        }
    }

    /**
     * Matrix: PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId} with the token as a Bearer
     * header, the room id percent-encoded, {@code {"msgtype":"m.text","body":...}}; the same txnId again
     * answers the same event id and sends nothing new.
     */
    private void matrix(HttpExchange ex, Message m) throws IOException {
        String prefix = "/_matrix/client/v3/rooms/";
        String[] rest = m.rawPath().substring(Math.min(prefix.length(), m.rawPath().length())).split("/");
        if (!m.rawPath().startsWith(prefix) || rest.length != 4 || !rest[1].equals("send") || !rest[2].equals("m.room.message")) {
            refuse(ex, m, 404, "application/json", "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Unrecognized request\"}");
        } else if (!m.method().equals("PUT")) {
            refuse(ex, m, 405, "application/json", "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"Unrecognized request\"}");
        } else if (m.header("Authorization") == null) {
            refuse(ex, m, 401, "application/json", "{\"errcode\":\"M_MISSING_TOKEN\",\"error\":\"Missing access token\"}");
        } else if (!("Bearer " + MATRIX_TOKEN).equals(m.header("Authorization"))) {
            refuse(ex, m, 401, "application/json", "{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"Invalid access token passed.\"}");
        } else if (!rest[0].equals(URLEncoder.encode(MATRIX_ROOM, StandardCharsets.UTF_8))
                || !URLDecoder.decode(rest[0], StandardCharsets.UTF_8).equals(MATRIX_ROOM)) {
            refuse(ex, m, 403, "application/json", "{\"errcode\":\"M_FORBIDDEN\",\"error\":\"User is not in room\"}");
        } else {
            JsonNode body = parse(m.body());
            if (body == null || !"m.text".equals(body.path("msgtype").asText()) || body.path("body").asText("").isBlank()) {
                refuse(ex, m, 400, "application/json", "{\"errcode\":\"M_BAD_JSON\",\"error\":\"m.text needs a body\"}");
                return;
            }
            String txn = rest[3];
            String[] known = {null};
            String eventId = matrixTxns.computeIfAbsent(txn, t -> {
                known[0] = t;
                return "$" + UUID.randomUUID();
            });
            if (known[0] != null) {
                accepted.add(m);
            }
            answer(ex, 200, "application/json", "{\"event_id\":\"" + eventId + "\"}");
        }
    }

    /**
     * Mastodon: POST /api/v1/statuses, Bearer token, a form (or JSON) with {@code status} of at most 500
     * characters and a valid {@code visibility}; a repeated Idempotency-Key answers the same status and
     * posts nothing new.
     */
    private void mastodon(HttpExchange ex, Message m) throws IOException {
        if (!m.rawPath().equals("/api/v1/statuses") || !m.method().equals("POST")) {
            refuse(ex, m, 404, "application/json", "{\"error\":\"Record not found\"}");
            return;
        }
        if (!("Bearer " + MASTODON_TOKEN).equals(m.header("Authorization"))) {
            refuse(ex, m, 401, "application/json", "{\"error\":\"The access token is invalid\"}");
            return;
        }
        Map<String, String> form;
        if (startsWith(m.header("Content-Type"), "application/x-www-form-urlencoded")) {
            form = Arrays.stream(m.body().split("&")).map(p -> p.split("=", 2)).collect(Collectors.toMap(
                    p -> URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                    p -> p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "", (a, b) -> b, LinkedHashMap::new));
        } else if (startsWith(m.header("Content-Type"), "application/json")) {
            JsonNode body = parse(m.body());
            form = new LinkedHashMap<>();
            if (body != null) {
                body.fields().forEachRemaining(e -> form.put(e.getKey(), e.getValue().asText()));
            }
        } else {
            refuse(ex, m, 422, "application/json", "{\"error\":\"Validation failed: Text can't be blank\"}");
            return;
        }
        String status = form.getOrDefault("status", "");
        String visibility = form.getOrDefault("visibility", "public");
        if (status.isBlank()) {
            refuse(ex, m, 422, "application/json", "{\"error\":\"Validation failed: Text can't be blank\"}");
        } else if (status.codePointCount(0, status.length()) > 500) {
            refuse(ex, m, 422, "application/json", "{\"error\":\"Validation failed: Text character limit of 500 exceeded\"}");
        } else if (!Set.of("public", "unlisted", "private", "direct").contains(visibility)) {
            refuse(ex, m, 422, "application/json", "{\"error\":\"Validation failed: Visibility is not included in the list\"}");
        } else {
            String key = m.header("Idempotency-Key");
            String id = key == null ? UUID.randomUUID().toString() : mastodonKeys.computeIfAbsent(key, k -> {
                accepted.add(m);
                return Long.toString(System.nanoTime());
            });
            if (key == null) {
                accepted.add(m);
            }
            answer(ex, 200, "application/json", "{\"id\":\"" + id + "\",\"visibility\":\"" + visibility + "\"}");
        }
    }

    private void accept(HttpExchange ex, Message m, int status, String type, String answer) throws IOException {
        accepted.add(m);
        answer(ex, status, type, answer);
    }

    private void refuse(HttpExchange ex, Message m, int status, String type, String answer) throws IOException {
        refused.add(m.service() + " " + status + ": " + answer);
        answer(ex, status, type, answer);
    }

    private static void answer(HttpExchange ex, int status, String type, String answer) throws IOException {
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        if (type != null) {
            ex.getResponseHeaders().set("Content-Type", type);
        }
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private JsonNode parse(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean startsWith(String value, String prefix) {
        return value != null && value.toLowerCase().startsWith(prefix);
    }
}
