package dev.lifeboat.notify;

import dev.lifeboat.config.ConfigCheck;
import dev.lifeboat.config.ConfigProblems;
import dev.lifeboat.config.LifeboatConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Arrays;
import java.util.List;

/** The notifications part of the start-up validation ({@code lifeboat.notifications.webhooks.*}). */
@ApplicationScoped
public class WebhookConfigCheck implements ConfigCheck {
    @Override
    public void check(LifeboatConfig config, ConfigProblems problems) {
        config.notifications().webhooks().forEach((name, hook) -> {
            String key = "lifeboat.notifications.webhooks." + name;
            if (!ConfigProblems.isHttpUrl(hook.url())) {
                problems.add(key + ".url is not an http(s) URL");
            }
            for (String event : hook.events()) {
                if (NotificationEvent.parse(event.trim()).isEmpty()) {
                    problems.add(key + ".events names '" + event + "', which is not an event. Hint: use some of " + ids());
                }
            }
            if (hook.secret().isPresent() && hook.secret().get().isBlank()) {
                problems.add(key + ".secret is empty (an env reference that resolved to nothing?). Hint: set it or leave it out");
            }
        });
    }

    private static List<String> ids() {
        return Arrays.stream(NotificationEvent.values()).map(NotificationEvent::id).sorted().toList();
    }
}
