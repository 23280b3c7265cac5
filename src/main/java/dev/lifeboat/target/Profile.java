package dev.lifeboat.target;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** A target's drill verification profile ({@code lifeboat.targets.<name>.profile}). */
public enum Profile {
    /** Row counts and schema objects as in the backup. */
    GENERIC,
    /** Also Mastodon's core tables, accounts and users, the newest status and the Rails schema version. */
    MASTODON,
    /** Also PeerTube's core tables, the newest video or comment and the migration version. */
    PEERTUBE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Profile> parse(String id) {
        return Arrays.stream(values()).filter(p -> p.id().equals(id)).findFirst();
    }
}
