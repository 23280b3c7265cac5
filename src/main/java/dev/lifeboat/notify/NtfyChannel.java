package dev.lifeboat.notify;

import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.JobOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ntfy ({@code lifeboat.notifications.ntfy.<name>.url} = server and topic): publishes by
 * {@code POST <server>/<topic>} with the message as the plain-text body (at most 4,000 bytes: ntfy turns
 * longer bodies into attachments) and the headers {@code Title}, {@code Priority} and {@code Tags}
 * (shown as emoji: {@code rotating_light} for failures, {@code warning} for anomalies,
 * {@code white_check_mark} for successes), plus {@code Authorization: Bearer <token>} when a token is set.
 * A title that is not ASCII is sent RFC 2047-encoded, which ntfy decodes. On a public server the topic
 * is what keeps the messages private, so errors show the server only.
 */
@ApplicationScoped
public class NtfyChannel implements NotificationChannel {
    /** ntfy keeps bodies up to 4,096 bytes as messages. */
    static final int MAX_BYTES = 4000;

    @Inject
    LifeboatConfig config;
    @Inject
    HttpDelivery http;

    @Override
    public String id() {
        return "ntfy";
    }

    @Override
    public Map<String, LifeboatConfig.Notifications.Ntfy> configured(LifeboatConfig.Notifications notifications) {
        return notifications.ntfy();
    }

    @Override
    public JobOutcome<NotifyResult> deliver(String name, Notice notice) throws Exception {
        LifeboatConfig.Notifications.Ntfy ntfy = config.notifications().ntfy().get(name);
        Optional<URI> configured = ntfy == null ? Optional.empty() : HttpDelivery.secretUrl(ntfy.url());
        if (configured.isEmpty()) {
            return JobOutcome.giveUp("ntfy " + name + " is not configured, or its url is not an http(s) URL");
        }
        URI url = configured.get();
        HttpRequest.Builder request = http.request(url).header("Content-Type", "text/plain; charset=utf-8")
                .header("Title", header(notice.title()))
                .header("Priority", ntfy.priority().orElse(priority(notice.event())))
                .header("Tags", tag(notice.event()))
                .POST(HttpRequest.BodyPublishers.ofString(cut(notice.text(), MAX_BYTES), StandardCharsets.UTF_8));
        Optional<String> token = ntfy.token().map(HttpDelivery::token);
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        List<String> secrets = new ArrayList<>(HttpDelivery.secretsOf(url));
        token.ifPresent(secrets::add);
        return http.send(request.build(), "ntfy " + name + " (" + HttpDelivery.shown(url) + ")", notice.args(), secrets);
    }

    /** Failures and anomalies ring louder than good news. */
    static String priority(NotificationEvent event) {
        return switch (event) {
            case JOB_FAILED, DRILL_FAILED, ANOMALY_DETECTED -> "high";
            default -> "default";
        };
    }

    /** The emoji short code ntfy shows before the title. */
    static String tag(NotificationEvent event) {
        return switch (event) {
            case JOB_FAILED, DRILL_FAILED -> "rotating_light";
            case ANOMALY_DETECTED -> "warning";
            default -> "white_check_mark";
        };
    }

    /** ASCII as it is; anything else as an RFC 2047 encoded word. */
    static String header(String value) {
        if (value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return value;
        }
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    /** At most {@code maxBytes} of UTF-8, cut between characters. */
    static String cut(String text, int maxBytes) {
        if (text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        int bytes = 3; // the ellipsis
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > maxBytes) {
                break;
            }
            out.appendCodePoint(cp);
            bytes += size;
            i += Character.charCount(cp);
        }
        return out.append('…').toString();
    }
}
