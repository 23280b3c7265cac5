package dev.lifeboat.restore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.crypto.WebhookSignature;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The restore webhooks ({@code lifeboat.targets.<name>.hooks.pre-restore|post-restore}): a JSON POST
 * whose 2xx answer means "go on". Admins point them at whatever stops and starts the application
 * (the Mastodon guide stops mastodon-web, -streaming and -sidekiq before a restore).
 */
public final class Hooks {
    /** The {@code event} of the body POSTed before a replace restore fences the database. */
    public static final String PRE_RESTORE = "restore.pre";
    /** The {@code event} of the body POSTed after a replace restore swapped the databases. */
    public static final String POST_RESTORE = "restore.post";
    private Hooks() {
    }

    /** A hook that did not answer 2xx in time. The message names the hook and what it answered. */
    public static final class HookFailedException extends Exception {
        public HookFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * POSTs {@code body} as JSON to {@code url}, with {@code X-Lifeboat-Timestamp} and, when the target has
     * a {@code hooks.secret}, {@code X-Lifeboat-Signature} (see {@link WebhookSignature}); redirects are
     * not followed.
     *
     * @throws HookFailedException on a non-2xx answer, a timeout or no connection
     */
    public static void call(String name, URI url, Map<String, Object> body, Duration timeout, String secret, ObjectMapper json)
            throws HookFailedException, InterruptedException {
        String payload;
        try {
            payload = json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        long timestamp = Instant.now().getEpochSecond();
        HttpRequest.Builder signed = HttpRequest.newBuilder(url).header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp));
        if (secret != null) {
            signed.header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(secret, timestamp, payload.getBytes(StandardCharsets.UTF_8)));
        }
        HttpRequest request = signed.timeout(timeout)
                .header("Content-Type", "application/json").header("User-Agent", "lifeboat")
                .POST(HttpRequest.BodyPublishers.ofString(payload)).build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new HookFailedException("the " + name + " hook " + redact(url) + " did not answer: " + e, e);
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            String text = response.body() == null ? "" : response.body().strip();
            throw new HookFailedException("the " + name + " hook " + redact(url) + " answered HTTP " + status
                    + (text.isEmpty() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "…" : text)), null);
        }
    }

    /** The URL without user info or query (either may hold a token). */
    static String redact(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + (url.getPath() == null ? "" : url.getPath());
    }
}
