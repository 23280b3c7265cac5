package dev.lifeboat.config;

/**
 * One package's checks of its part of {@code lifeboat.*}: targets, storages, tokens, webhooks…
 * Implementations are CDI beans; {@link ConfigValidation} runs them all at start-up, so every problem
 * is listed at once and this package depends on none of them.
 */
public interface ConfigCheck {
    /** Adds a problem (naming the key, with a hint) for everything wrong; never throws for bad values. */
    void check(LifeboatConfig config, ConfigProblems problems);
}
