package dev.lifeboat.restore;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Where a restore puts the backup. */
public enum RestoreMode {
    /** Into a new database (it must not exist). */
    NEW,
    /** In place of the target's database, by a swap that keeps the old one. */
    REPLACE;

    /** {@code new} or {@code replace}, as in the API and the job's arguments. */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<RestoreMode> parse(String id) {
        return Arrays.stream(values()).filter(m -> m.id().equals(id)).findFirst();
    }

    @JsonCreator
    static RestoreMode fromJson(String id) {
        return parse(id).orElseThrow(() -> new IllegalArgumentException("unknown restore mode '" + id + "'"));
    }
}
