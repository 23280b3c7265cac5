package dev.lifeboat.notify;

import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.JobOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A Mastodon account ({@code lifeboat.notifications.mastodon.<name>.*}) that posts through its instance's
 * API: {@code POST <instance>/api/v1/statuses}, form-encoded {@code status} and {@code visibility}, with
 * {@code Authorization: Bearer <access token>} and {@code Idempotency-Key: <notify job id>} (Mastodon
 * keeps one status per key, so a retry whose first answer was lost posts nothing twice). With
 * {@code visibility=direct} (the default) the status is a private mention of the {@code to} accounts; with
 * {@code private}, {@code unlisted} or {@code public} it is a post (mentioning {@code to}, if set). The
 * status is cut to 500 characters, Mastodon's default limit, ending in an ellipsis.
 */
@ApplicationScoped
public class MastodonChannel implements NotificationChannel {
    /** Mastodon's default maximum status length. */
    static final int MAX_STATUS = 500;
    /** What {@code visibility} may be. */
    static final List<String> VISIBILITIES = List.of("direct", "private", "unlisted", "public");

    @Inject
    LifeboatConfig config;
    @Inject
    HttpDelivery http;

    @Override
    public String id() {
        return "mastodon";
    }

    @Override
    public Map<String, LifeboatConfig.Notifications.Mastodon> configured(LifeboatConfig.Notifications notifications) {
        return notifications.mastodon();
    }

    @Override
    public JobOutcome<NotifyResult> deliver(String name, Notice notice) throws Exception {
        LifeboatConfig.Notifications.Mastodon account = config.notifications().mastodon().get(name);
        if (account == null || account.instance().isEmpty() || account.accessToken().isEmpty()) {
            return JobOutcome.giveUp("mastodon " + name + " is no longer configured");
        }
        URI instance = account.instance().get();
        String token = HttpDelivery.token(account.accessToken().get());
        String form = "status=" + URLEncoder.encode(status(account.to().orElse(List.of()), notice), StandardCharsets.UTF_8)
                + "&visibility=" + URLEncoder.encode(account.visibility(), StandardCharsets.UTF_8);
        HttpRequest request = http.request(URI.create(instance.toString().replaceAll("/+$", "") + "/api/v1/statuses"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Bearer " + token)
                .header("Idempotency-Key", notice.delivery().toString())
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8)).build();
        return http.send(request, "mastodon " + name + " (" + HttpDelivery.shown(instance) + ")", notice.args(), List.of(token));
    }

    /**
     * The mentions, then the notice, at most 500 characters in all. An {@code @} in the notice gets a
     * zero-width space after it: a table named {@code @someone@their.server} in an anomaly warning, or a
     * role in an error, must not make Mastodon mention that account (a mention in a direct status makes
     * it a recipient, and would hand it the notice).
     */
    static String status(List<String> to, Notice notice) {
        String mentions = to.stream().map(String::trim).filter(s -> !s.isEmpty()).map(s -> s.startsWith("@") ? s : "@" + s)
                .reduce((a, b) -> a + " " + b).map(m -> m + " ").orElse("");
        return Notice.truncate(mentions + notice.text().replace("@", "@\u200B"), MAX_STATUS);
    }
}
