package dev.lifeboat.config;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Set;

/** Checks {@code lifeboat.storage.<name>.*} at start-up (the storage drivers themselves come with backups). */
@Startup
@ApplicationScoped
public class StorageValidation {
    public static final Set<String> TYPES = Set.of("filesystem", "s3");

    @Inject
    public StorageValidation(LifeboatConfig config) {
        this(config, null);
    }

    /** Validates into {@code collect} when given (see {@link dev.lifeboat.config.ConfigValidation}), else throws. */
    public StorageValidation(LifeboatConfig config, ConfigProblems collect) {
        ConfigProblems problems = collect == null ? new ConfigProblems() : collect;
        config.storage().forEach((name, s) -> {
            String key = "lifeboat.storage." + name;
            switch (s.type()) {
                case "filesystem" -> {
                    if (s.path().isEmpty()) {
                        problems.add(key + ".path is missing. Hint: a directory for backups, e.g. ./data/backups");
                    }
                }
                case "s3" -> {
                    if (s.bucket().isEmpty() || s.bucket().get().isBlank()) {
                        problems.add(key + ".bucket is missing");
                    }
                    if (s.accessKeyId().isPresent() != s.secretAccessKey().isPresent()) {
                        problems.add(key + ": access-key-id and secret-access-key go together. Hint: set both, or neither to use the AWS default credentials chain");
                    }
                    s.endpoint().ifPresent(e -> {
                        if (!e.startsWith("http://") && !e.startsWith("https://")) {
                            problems.add(key + ".endpoint=" + e + " is not an http(s) URL");
                        }
                    });
                }
                default -> problems.add(key + ".type=" + s.type() + " is unknown. Hint: use filesystem or s3");
            }
        });
        if (collect == null) {
            problems.throwIfAny();
        }
    }
}
