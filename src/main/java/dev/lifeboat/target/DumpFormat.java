package dev.lifeboat.target;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** pg_dump's output format for a target's backups ({@code lifeboat.targets.<name>.format}). */
public enum DumpFormat {
    /** {@code pg_dump -Fc}: one compressed archive, streamed straight to storage. */
    CUSTOM,
    /** {@code pg_dump -Fd --jobs=N} into a scratch directory, then stored as one tar stream. */
    DIRECTORY;

    /** {@code custom} or {@code directory}, as in configuration, the catalog and manifests. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<DumpFormat> parse(String id) {
        return Arrays.stream(values()).filter(f -> f.id().equals(id)).findFirst();
    }

    /** The format a catalog row or manifest names (written by this code, so always known). */
    public static DumpFormat of(String id) {
        return parse(id).orElseThrow(() -> new IllegalArgumentException("unknown dump format '" + id + "'"));
    }
}
