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
        problems.throwIfAny();
        targets.all().stream().filter(t -> !t.passwordConfigured()).forEach(t -> LOG.warnf(
                "target %s has no password or password-file: Lifeboat will connect without a password"
                        + " (if you set password=${SOME_ENV_VAR}, that variable is unset)", t.name()));
    }
}
