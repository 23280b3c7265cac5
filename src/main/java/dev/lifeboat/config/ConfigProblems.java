package dev.lifeboat.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** Collects every configuration problem so start-up fails once, listing all of them. */
public final class ConfigProblems {
    private final List<String> problems = new ArrayList<>();

    /** An absolute http or https URL with a host: what webhooks may point at. */
    public static boolean isHttpUrl(URI url) {
        return ("http".equals(url.getScheme()) || "https".equals(url.getScheme())) && url.getHost() != null;
    }

    public void add(String problem) {
        problems.add(problem);
    }

    /** How many problems were found so far. */
    public int count() {
        return problems.size();
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
