package dev.lifeboat.config;

import dev.lifeboat.auth.Tokens;
import dev.lifeboat.target.Targets;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Checks the whole {@code lifeboat.*} configuration first thing at start-up, before any worker
 * starts, and fails once with every problem listed (tokens, storages and targets together), so an
 * operator fixes them in one round.
 */
@Startup(1)
@ApplicationScoped
public class ConfigValidation {
    private static final Logger LOG = Logger.getLogger(ConfigValidation.class);

    @Inject
    public ConfigValidation(LifeboatConfig config) {
        ConfigProblems problems = new ConfigProblems();
        new Tokens(config, problems);
        new StorageValidation(config, problems);
        Targets targets = new Targets(config, problems);
        config.notifications().webhooks().forEach((name, hook) -> {
            String key = "lifeboat.notifications.webhooks." + name;
            if (!ConfigProblems.isHttpUrl(hook.url())) {
                problems.add(key + ".url is not an http(s) URL");
            }
            for (String event : hook.events()) {
                if (!dev.lifeboat.notify.Notifier.EVENTS.contains(event.trim())) {
                    problems.add(key + ".events names '" + event + "', which is not an event. Hint: use some of "
                            + new java.util.TreeSet<>(dev.lifeboat.notify.Notifier.EVENTS));
                }
            }
            if (hook.secret().isPresent() && hook.secret().get().isBlank()) {
                problems.add(key + ".secret is empty (an env reference that resolved to nothing?). Hint: set it or leave it out");
            }
        });
        if (config.anomaly().rowDropFraction() <= 0 || config.anomaly().rowDropFraction() >= 1
                || config.anomaly().sizeDropFraction() <= 0 || config.anomaly().sizeDropFraction() >= 1) {
            problems.add("lifeboat.anomaly.row-drop-fraction and size-drop-fraction must be between 0 and 1 (e.g. 0.05 for 5 %)");
        }
        problems.throwIfAny();
        targets.all().stream().filter(t -> !t.passwordConfigured()).forEach(t -> LOG.warnf(
                "target %s has no password or password-file: Lifeboat will connect without a password"
                        + " (if you set password=${SOME_ENV_VAR}, that variable is unset)", t.name()));
    }
}
