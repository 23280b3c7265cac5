package dev.lifeboat.storage;

import dev.lifeboat.config.ConfigCheck;
import dev.lifeboat.config.ConfigProblems;
import dev.lifeboat.config.LifeboatConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** The storage part of the start-up validation: {@code lifeboat.storage.<name>.*} and {@code lifeboat.backup.upload-memory}. */
@ApplicationScoped
public class StorageConfigCheck implements ConfigCheck {

    @Override
    public void check(LifeboatConfig config, ConfigProblems problems) {
        config.storage().forEach((name, s) -> {
            String key = "lifeboat.storage." + name;
            Optional<StorageType> type = StorageType.parse(s.type());
            if (type.isEmpty()) {
                problems.add(key + ".type=" + s.type() + " is unknown. Hint: use filesystem or s3");
                return;
            }
            switch (type.get()) {
                case FILESYSTEM -> {
                    if (s.path().isEmpty()) {
                        problems.add(key + ".path is missing. Hint: a directory for backups, e.g. ./data/backups");
                    }
                }
                case S3 -> checkS3(key, s, problems);
            }
        });
    }

    private static void checkS3(String key, LifeboatConfig.Storage s, ConfigProblems problems) {
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
            problems.add(key + ".part-size=" + partSize + " bytes is outside 5M..1G. Hint: S3 parts are at least 5 MiB; the default 8M suits most");
        }
        if (s.uploadConcurrency() < 1 || s.uploadConcurrency() > 64) {
            problems.add(key + ".upload-concurrency=" + s.uploadConcurrency() + " is outside 1..64. Hint: the default 2 keeps a link busy; each extra part in flight costs part-size of memory");
        }
    }
}
