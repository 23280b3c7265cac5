package dev.lifeboat.notify;

import dev.lifeboat.config.ConfigProblems;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.JobOutcome;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Sends the HTTP request of one chat, push or Fediverse delivery and judges the answer: a 2xx is
 * delivered; no answer, a 5xx, 408 or 429 is retried with the queue's backoff; any other 4xx gives up
 * at once (a revoked token, an unknown room or a deleted webhook does not get better by asking again),
 * with the receiver's own explanation. Every error text has the channel's secrets replaced.
 */
@ApplicationScoped
public class HttpDelivery {
    /** How much of an error answer's body is quoted. */
    static final int QUOTED = 300;

    @Inject
    LifeboatConfig config;

    /** One client for every delivery (its connection pool and threads are shared). */
    private HttpClient client;

    @PostConstruct
    void init() {
        client = HttpClient.newBuilder().connectTimeout(config.notifications().timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The shared client. */
    HttpClient client() {
        return client;
    }

    /** A request builder with the timeout and User-Agent every delivery has. */
    HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(config.notifications().timeout()).header("User-Agent", "lifeboat");
    }

    /**
     * Sends {@code request}; {@code where} names the receiver for errors (e.g. {@code slack ops (https://hooks.slack.com)}),
     * {@code secrets} are the strings no error may show (tokens, secret URLs).
     */
    JobOutcome<NotifyResult> send(HttpRequest request, String where, NotifyArgs args, List<String> secrets) throws InterruptedException {
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return JobOutcome.retry(where + " could not be reached: " + redact(e.toString(), secrets));
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return JobOutcome.succeeded(NotifyResult.of(args));
        }
        String body = response.body() == null ? "" : response.body().strip();
        // Only what the receiver said is redacted: Lifeboat's own words name no secret.
        String error = where + " answered HTTP " + status
                + (body.isEmpty() ? "" : ": " + Notice.truncate(redact(body, secrets).replaceAll("\\s+", " "), QUOTED));
        if (status / 100 == 4 && status != 408 && status != 429) {
            return JobOutcome.giveUp(error + ". Hint: check lifeboat.notifications." + args.channelId() + "." + args.recipient()
                    + ".* (URL, token, room, account); a delivery refused like this is not retried");
        }
        return JobOutcome.retry(error);
    }

    /** {@code text} with each secret (of 4 characters or more) replaced by {@code [redacted]}. */
    static String redact(String text, List<String> secrets) {
        String out = text;
        for (String secret : secrets.stream().filter(Objects::nonNull).filter(s -> s.length() >= 4)
                .sorted((a, b) -> b.length() - a.length()).toList()) {
            out = out.replace(secret, "[redacted]");
            String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
            if (!encoded.equals(secret)) {
                out = out.replace(encoded, "[redacted]");
            }
        }
        return out;
    }

    /**
     * A secret URL from configuration (Slack, Discord, ntfy), or empty when it is not an http(s) URL; a
     * parse error is never shown, as it would quote the URL.
     */
    static Optional<URI> secretUrl(Optional<String> configured) {
        try {
            return configured.map(String::strip).map(URI::create).filter(ConfigProblems::isHttpUrl);
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    /** A token from configuration, without the line break a Secret made from a file often ends with. */
    static String token(String configured) {
        return configured.strip();
    }

    /** The secrets in a URL whose path is the secret (Slack, Discord, an ntfy topic): the URL, its path and query. */
    static List<String> secretsOf(URI url) {
        return java.util.stream.Stream.of(url.toString(), url.getRawPath(), trimSlash(url.getRawPath()), url.getRawQuery(), url.getPath())
                .filter(Objects::nonNull).filter(s -> !s.isBlank()).toList();
    }

    /** What of a secret URL may be shown: {@code https://hooks.slack.com}. */
    static String shown(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort());
    }

    private static String trimSlash(String path) {
        return path == null ? null : path.replaceAll("^/+", "");
    }
}
