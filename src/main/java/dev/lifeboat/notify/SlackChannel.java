package dev.lifeboat.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.JobOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.Optional;

/**
 * Slack-compatible incoming webhooks ({@code lifeboat.notifications.slack.<name>.url}): Slack, and the
 * incoming webhooks of Mattermost and Rocket.Chat, which take the same message. POSTs
 * {@code {"text": "..."}} as JSON, with {@code &}, {@code <} and {@code >} escaped as Slack's message
 * formatting requires (so a target name or error can never become a link or an {@code @channel} ping).
 * The URL is the webhook's only credential: errors show its scheme and host alone.
 */
@ApplicationScoped
public class SlackChannel implements NotificationChannel {
    /** Slack cuts longer texts; a notification is never near it. */
    static final int MAX_TEXT = 4000;

    @Inject
    LifeboatConfig config;
    @Inject
    HttpDelivery http;
    @Inject
    ObjectMapper json;

    @Override
    public String id() {
        return "slack";
    }

    @Override
    public Map<String, LifeboatConfig.Notifications.Slack> configured(LifeboatConfig.Notifications notifications) {
        return notifications.slack();
    }

    @Override
    public JobOutcome<NotifyResult> deliver(String name, Notice notice) throws Exception {
        LifeboatConfig.Notifications.Slack slack = config.notifications().slack().get(name);
        Optional<URI> configured = slack == null ? Optional.empty() : HttpDelivery.secretUrl(slack.url());
        if (configured.isEmpty()) {
            return JobOutcome.giveUp("slack " + name + " is not configured, or its url is not an http(s) URL");
        }
        URI url = configured.get();
        String text = escape(Notice.truncate(notice.text(), MAX_TEXT));
        byte[] body = json.writeValueAsBytes(Map.of("text", text));
        HttpRequest request = http.request(url).header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.send(request, "slack " + name + " (" + HttpDelivery.shown(url) + ")", notice.args(), HttpDelivery.secretsOf(url));
    }

    /** Slack's three control characters, as its "Formatting text" guide asks. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
