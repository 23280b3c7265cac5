package dev.lifeboat.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every configuration problem so start-up fails once, listing all of them. */
public final class ConfigProblems {
    private final List<String> problems = new ArrayList<>();

    public void add(String problem) {
        problems.add(problem);
    }

    public void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
    }

    /** Lifeboat refuses to start with this configuration. */
    public static class InvalidConfigurationException extends IllegalStateException {
        public InvalidConfigurationException(List<String> problems) {
            super("Lifeboat configuration is invalid:\n  - " + String.join("\n  - ", problems));
        }
    }
}
