package dev.lifeboat.support;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real HTTP endpoint for the restore webhooks of the test target {@code store}
 * ({@code /pre} and {@code /post}): it records each call and answers the status a test sets.
 */
public class HookServer implements QuarkusTestResourceLifecycleManager {
    /** One request received: path, JSON body, and the X-Lifeboat-Signature and X-Lifeboat-Timestamp headers (or null). */
    public record Call(String path, String body, String signature, String timestamp) {
    }

    public static final List<Call> CALLS = new CopyOnWriteArrayList<>();
    public static final AtomicInteger PRE_STATUS = new AtomicInteger(204);
    public static final AtomicInteger POST_STATUS = new AtomicInteger(204);
    /** What {@code /notify} (the test webhook of lifeboat.notifications) answers. */
    public static final AtomicInteger NOTIFY_STATUS = new AtomicInteger(204);
    /** Runs while the pre-restore hook is being answered (e.g. to look at the databases at that moment). */
    public static volatile Consumer<Call> onPre = c -> { };
    /** The test webhook's HMAC secret. */
    public static final String SECRET = "hook-secret-7f3a9c";
    private static HttpServer server;

    public static void reset() {
        CALLS.clear();
        PRE_STATUS.set(204);
        POST_STATUS.set(204);
        NOTIFY_STATUS.set(204);
        onPre = c -> { };
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Call call = new Call(exchange.getRequestURI().getPath(), body, exchange.getRequestHeaders().getFirst("X-Lifeboat-Signature"),
                    exchange.getRequestHeaders().getFirst("X-Lifeboat-Timestamp"));
            CALLS.add(call);
            int status = switch (call.path()) {
                case "/pre" -> PRE_STATUS.get();
                case "/notify" -> NOTIFY_STATUS.get();
                default -> POST_STATUS.get();
            };
            if (call.path().equals("/pre")) {
                onPre.accept(call);
            }
            byte[] answer = (status >= 300 ? "mastodon-web would not stop" : "").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
            exchange.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("lifeboat.targets.store.hooks.pre-restore", base + "/pre",
                "lifeboat.targets.store.hooks.post-restore", base + "/post",
                "lifeboat.targets.store.hooks.timeout", "10s",
                "lifeboat.targets.store.hooks.secret", SECRET,
                "lifeboat.notifications.webhooks.test.url", base + "/notify",
                "lifeboat.notifications.webhooks.test.secret", SECRET);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Registers the server for every Quarkus test (the test configuration names it). */
    @QuarkusTestResource(HookServer.class)
    public static final class Registration {
    }
}
