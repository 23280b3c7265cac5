package dev.lifeboat.target;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** A target's drill verification profile ({@code lifeboat.targets.<name>.profile}). */
public enum Profile {
    /** Row counts and schema objects as in the backup. */
    GENERIC,
    /** Also Mastodon's core tables, the newest status and the Rails schema version. */
    MASTODON;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Profile> parse(String id) {
        return Arrays.stream(values()).filter(p -> p.id().equals(id)).findFirst();
    }
}
