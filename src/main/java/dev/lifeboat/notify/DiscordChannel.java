package dev.lifeboat.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.JobOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Discord channel webhooks ({@code lifeboat.notifications.discord.<name>.url}): POSTs
 * {@code {"content": "...", "username": "Lifeboat", "allowed_mentions": {"parse": []}}} as JSON. The content
 * is at most 2,000 characters (Discord's limit) and {@code allowed_mentions} is empty, so an
 * {@code @everyone} in an error text pings nobody. The URL carries the webhook's token: errors show its
 * scheme and host alone.
 */
@ApplicationScoped
public class DiscordChannel implements NotificationChannel {
    /** Discord refuses longer content. */
    static final int MAX_CONTENT = 2000;

    @Inject
    LifeboatConfig config;
    @Inject
    HttpDelivery http;
    @Inject
    ObjectMapper json;

    @Override
    public String id() {
        return "discord";
    }

    @Override
    public Map<String, LifeboatConfig.Notifications.Discord> configured(LifeboatConfig.Notifications notifications) {
        return notifications.discord();
    }

    @Override
    public JobOutcome<NotifyResult> deliver(String name, Notice notice) throws Exception {
        LifeboatConfig.Notifications.Discord discord = config.notifications().discord().get(name);
        Optional<URI> configured = discord == null ? Optional.empty() : HttpDelivery.secretUrl(discord.url());
        if (configured.isEmpty()) {
            return JobOutcome.giveUp("discord " + name + " is not configured, or its url is not an http(s) URL");
        }
        URI url = configured.get();
        byte[] body = json.writeValueAsBytes(Map.of(
                "content", Notice.truncate(notice.text(), MAX_CONTENT),
                "username", "Lifeboat",
                "allowed_mentions", Map.of("parse", List.of())));
        HttpRequest request = http.request(url).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.send(request, "discord " + name + " (" + HttpDelivery.shown(url) + ")", notice.args(), HttpDelivery.secretsOf(url));
    }
}
