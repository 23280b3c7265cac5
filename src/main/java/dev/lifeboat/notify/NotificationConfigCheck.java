package dev.lifeboat.notify;

import dev.lifeboat.config.ConfigCheck;
import dev.lifeboat.config.ConfigProblems;
import dev.lifeboat.config.LifeboatConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.ConfigProvider;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The notifications part of the start-up validation: webhooks and every channel
 * ({@code lifeboat.notifications.<channel>.<name>.*}). What a channel cannot work without (its URL, room,
 * token, recipients) is named when missing, as is a bad value, so a typo fails at start-up instead of at
 * the first failed backup, when nobody is told.
 */
@ApplicationScoped
public class NotificationConfigCheck implements ConfigCheck {
    private static final String PREFIX = "lifeboat.notifications.";
    /** ntfy's priorities. */
    private static final List<String> NTFY_PRIORITIES = List.of("1", "2", "3", "4", "5", "min", "low", "default", "high", "max", "urgent");
    /** {@code @user} or {@code @user@example.social}. */
    private static final Pattern ACCOUNT = Pattern.compile("@?[A-Za-z0-9_]+(@[A-Za-z0-9.-]+\\.[A-Za-z0-9-]+)?");

    @Override
    public void check(LifeboatConfig config, ConfigProblems problems) {
        LifeboatConfig.Notifications n = config.notifications();
        n.webhooks().forEach((name, hook) -> {
            String key = PREFIX + "webhooks." + name;
            if (!ConfigProblems.isHttpUrl(hook.url())) {
                problems.add(key + ".url is not an http(s) URL");
            }
            events(key, hook, problems);
            if (hook.secret().isPresent() && hook.secret().get().isBlank()) {
                problems.add(key + ".secret is empty (an env reference that resolved to nothing?). Hint: set it or leave it out");
            }
        });
        n.slack().forEach((name, slack) -> {
            String key = PREFIX + "slack." + name;
            secretUrl(key + ".url", slack.url(), "the incoming webhook URL Slack, Mattermost or Rocket.Chat gave you", problems);
            events(key, slack, problems);
        });
        n.discord().forEach((name, discord) -> {
            String key = PREFIX + "discord." + name;
            secretUrl(key + ".url", discord.url(), "the channel's webhook URL (https://discord.com/api/webhooks/<id>/<token>)", problems);
            events(key, discord, problems);
        });
        n.ntfy().forEach((name, ntfy) -> {
            String key = PREFIX + "ntfy." + name;
            secretUrl(key + ".url", ntfy.url(), "the server and topic, e.g. https://ntfy.sh/<topic>", problems);
            if (HttpDelivery.secretUrl(ntfy.url()).map(u -> u.getPath() == null || u.getPath().replace("/", "").isEmpty()).orElse(false)) {
                problems.add(key + ".url has no topic. Hint: put the topic after the server, e.g. https://ntfy.sh/<topic>");
            }
            ntfy.priority().filter(p -> !NTFY_PRIORITIES.contains(p.trim())).ifPresent(p ->
                    problems.add(key + ".priority=" + p + " is not an ntfy priority. Hint: use 1 to 5 or one of min, low, default, high, max, urgent"));
            ntfy.token().ifPresent(t -> token(key + ".token", t, problems));
            events(key, ntfy, problems);
        });
        n.matrix().forEach((name, matrix) -> {
            String key = PREFIX + "matrix." + name;
            url(key + ".homeserver", matrix.homeserver(), "the homeserver's URL, e.g. https://matrix.example.org", problems);
            if (matrix.room().isEmpty()) {
                problems.add(key + ".room is missing. Hint: the room id, e.g. !abc123:example.org (Room settings, Advanced)");
            } else if (!matrix.room().get().startsWith("!") || !matrix.room().get().contains(":")) {
                problems.add(key + ".room=" + matrix.room().get() + " is not a room id. Hint: use the id (!abc123:example.org, in Room settings,"
                        + " Advanced), not an alias (#room:example.org)");
            }
            secret(key + ".access-token", matrix.accessToken(), "LIFEBOAT_MATRIX_TOKEN", problems);
            events(key, matrix, problems);
        });
        n.email().forEach((name, email) -> {
            String key = PREFIX + "email." + name;
            if (email.to().map(List::isEmpty).orElse(true)) {
                problems.add(key + ".to is missing. Hint: the recipients, comma-separated (the SMTP server is quarkus.mailer.host)");
            } else {
                email.to().get().stream().map(String::trim).filter(a -> !a.matches("[^@\\s]+@[^@\\s]+")).forEach(a ->
                        problems.add(key + ".to names '" + a + "', which is not an email address"));
            }
            if (email.from().isEmpty() && ConfigProvider.getConfig().getOptionalValue("quarkus.mailer.from", String.class).isEmpty()) {
                problems.add(key + ".from is missing, and so is quarkus.mailer.from. Hint: set quarkus.mailer.from (with quarkus.mailer.host"
                        + " and the other quarkus.mailer.* keys of your SMTP server)");
            }
            events(key, email, problems);
        });
        n.mastodon().forEach((name, account) -> {
            String key = PREFIX + "mastodon." + name;
            url(key + ".instance", account.instance(), "the instance's URL, e.g. https://example.social", problems);
            secret(key + ".access-token", account.accessToken(), "LIFEBOAT_MASTODON_TOKEN", problems);
            if (!MastodonChannel.VISIBILITIES.contains(account.visibility())) {
                problems.add(key + ".visibility=" + account.visibility() + " is not a visibility. Hint: use one of "
                        + String.join(", ", MastodonChannel.VISIBILITIES));
            }
            List<String> to = account.to().orElse(List.of());
            if (to.isEmpty() && "direct".equals(account.visibility())) {
                problems.add(key + ".to is missing: a direct message needs someone to go to. Hint: e.g. @admin@example.social,"
                        + " or visibility=unlisted for a post");
            }
            to.stream().map(String::trim).filter(a -> !ACCOUNT.matcher(a).matches()).forEach(a ->
                    problems.add(key + ".to names '" + a + "', which is not an account. Hint: @user@example.social"));
            events(key, account, problems);
        });
    }

    private static void events(String key, LifeboatConfig.Notifications.Channel channel, ConfigProblems problems) {
        for (String event : channel.events()) {
            if (NotificationEvent.parse(event.trim()).isEmpty()) {
                problems.add(key + ".events names '" + event + "', which is not an event. Hint: use some of " + ids());
            }
        }
    }

    private static void url(String key, Optional<URI> url, String hint, ConfigProblems problems) {
        if (url.isEmpty()) {
            problems.add(key + " is missing (an env reference that resolved to nothing?). Hint: " + hint);
        } else if (!ConfigProblems.isHttpUrl(url.get())) {
            problems.add(key + " is not an http(s) URL. Hint: " + hint);
        }
    }

    private static void secret(String key, Optional<String> value, String env, ConfigProblems problems) {
        if (value.isEmpty() || value.get().isBlank()) {
            problems.add(key + " is missing (an env reference that resolved to nothing?). Hint: set it from a Secret through an env reference, e.g. ${" + env + "}");
        } else {
            token(key, value.get(), problems);
        }
    }

    /** A token with a space or line break inside cannot be sent in a header (one at either end is dropped). */
    private static void token(String key, String value, ConfigProblems problems) {
        if (value.strip().chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            problems.add(key + " has a space or line break inside (not shown). Hint: set the token alone");
        }
    }

    /** A URL that is itself a secret: never repeated, not even when it does not parse. */
    private static void secretUrl(String key, Optional<String> url, String hint, ConfigProblems problems) {
        if (url.isEmpty() || url.get().isBlank()) {
            problems.add(key + " is missing (an env reference that resolved to nothing?). Hint: " + hint);
        } else if (HttpDelivery.secretUrl(url).isEmpty()) {
            problems.add(key + " is not an http(s) URL (not shown: it is a secret). Hint: " + hint);
        }
    }

    private static List<String> ids() {
        return Arrays.stream(NotificationEvent.values()).map(NotificationEvent::id).sorted().toList();
    }
}
