package dev.lifeboat.config;

import dev.lifeboat.storage.BlobKeys;
import dev.lifeboat.storage.S3Settings;
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
                    s.prefix().ifPresent(prefix -> {
                        String trimmed = prefix.replaceAll("^/+|/+$", "");
                        if (!trimmed.isEmpty() && !BlobKeys.isValid(trimmed)) {
                            problems.add(key + ".prefix=" + prefix + " is not a valid key path. Hint: '/'-separated names without '.', '..', empty segments or backslashes, e.g. lifeboat/production");
                        }
                    });
                    long partSize = s.partSize().asLongValue();
                    if (partSize < S3Settings.MIN_PART_SIZE || partSize > S3Settings.MAX_PART_SIZE) {
                        problems.add(key + ".part-size=" + partSize + " bytes is outside 5M..1G. Hint: S3 parts are at least 5 MiB; the default 16M suits most");
                    }
                    if (s.uploadConcurrency() < 1 || s.uploadConcurrency() > 64) {
                        problems.add(key + ".upload-concurrency=" + s.uploadConcurrency() + " is outside 1..64. Hint: the default 2 keeps a link busy; each extra part in flight costs part-size of memory");
                    }
                }
                default -> problems.add(key + ".type=" + s.type() + " is unknown. Hint: use filesystem or s3");
            }
        });
        if (collect == null) {
            problems.throwIfAny();
        }
    }
}
