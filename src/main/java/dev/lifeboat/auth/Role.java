package dev.lifeboat.auth;

import java.util.Locale;
import java.util.Optional;

/** API roles, each including the ones below it. */
public enum Role {
    /** Reads jobs, backups, targets. */
    VIEWER,
    /** Also starts backups, drills and verifications, and cancels jobs. */
    OPERATOR,
    /** Also restores and deletes. */
    ADMIN;

    public boolean includes(Role other) {
        return ordinal() >= other.ordinal();
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> parse(String s) {
        for (Role r : values()) {
            if (r.id().equals(s)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
