package dev.lifeboat.config;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks the whole {@code lifeboat.*} configuration first thing at start-up, before any worker
 * starts, and fails once with every problem listed (tokens, storages, targets, webhooks together), so
 * an operator fixes them in one round. Each package contributes its {@link ConfigCheck}.
 */
@Startup(1)
@ApplicationScoped
public class ConfigValidation {

    @Inject
    public ConfigValidation(LifeboatConfig config, Instance<ConfigCheck> checks) {
        List<ConfigCheck> all = new ArrayList<>();
        checks.forEach(all::add);
        validate(config, all);
    }

    /**
     * Runs every check and throws {@link ConfigProblems.InvalidConfigurationException} listing all
     * problems, if there are any.
     */
    public static void validate(LifeboatConfig config, List<? extends ConfigCheck> checks) {
        ConfigProblems problems = new ConfigProblems();
        for (ConfigCheck check : checks) {
            check.check(config, problems);
        }
        problems.throwIfAny();
    }
}
