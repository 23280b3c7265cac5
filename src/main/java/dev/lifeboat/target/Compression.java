package dev.lifeboat.target;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a target's dumps are compressed ({@code lifeboat.targets.<name>.compression}, {@code compression-level},
 * {@code compression-threads}).
 *
 * <ul>
 *   <li>{@code zstd} (the default): pg_dump writes an uncompressed archive ({@code --compress=0}), Lifeboat
 *       compresses it with multi-threaded zstd in-process, and reads each table's row count from the archive
 *       as it streams by. The object is {@code dump.pgc.zst[.age]}: {@code zstd -d | pg_restore} by hand.</li>
 *   <li>{@code gzip}: pg_dump's own compression, as Lifeboat did before zstd ({@code dump.pgc[.age]});
 *       {@code compression-level} becomes pg_dump's {@code --compress}.</li>
 *   <li>{@code none}: an uncompressed archive, e.g. for storage that compresses or deduplicates itself.</li>
 * </ul>
 *
 * @param algorithm what compresses
 * @param level     zstd's level (1 to 19) or gzip's (0 to 9); null: the algorithm's default here
 * @param threads   zstd worker threads (1: compression on the copying thread)
 */
public record Compression(Algorithm algorithm, Integer level, int threads) {
    /**
     * zstd's level when none is configured, chosen by measurement (bench/README.md, "Choosing the default level"):
     * level 2 stores varied text in less than pg_dump's gzip does (level 1 does not) and costs little more CPU.
     */
    public static final int DEFAULT_ZSTD_LEVEL = 2;

    /** Backups made before Lifeboat compressed in-process: pg_dump's own gzip. */
    public static final Compression LEGACY = new Compression(Algorithm.GZIP, null, 1);

    /** The default of a new target: zstd at its default level on every core. */
    public static Compression defaults() {
        return new Compression(Algorithm.ZSTD, null, Runtime.getRuntime().availableProcessors());
    }

    public enum Algorithm {
        ZSTD(".zst"), GZIP(""), NONE("");

        private final String suffix;

        Algorithm(String suffix) {
            this.suffix = suffix;
        }

        /** {@code zstd}, {@code gzip} or {@code none}: as in configuration, the catalog and manifests. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** What the dump object's name gets for it: {@code .zst} for zstd, nothing otherwise. */
        public String suffix() {
            return suffix;
        }

        public static Optional<Algorithm> parse(String id) {
            return Arrays.stream(values()).filter(a -> a.id().equals(id)).findFirst();
        }

        /** The algorithm a catalog row or manifest names; null (written before compression was recorded) is pg_dump's gzip. */
        public static Algorithm of(String id) {
            if (id == null) {
                return GZIP;
            }
            return parse(id).orElseThrow(() -> new IllegalArgumentException("unknown compression '" + id + "'"));
        }
    }

    /** zstd's level to use. */
    public int zstdLevel() {
        return level != null ? level : DEFAULT_ZSTD_LEVEL;
    }

    /** True when pg_dump writes an uncompressed archive, whose table data Lifeboat can read (row counts). */
    public boolean plainArchive() {
        return algorithm != Algorithm.GZIP;
    }

    /** pg_dump's compression argument: {@code --compress=0} unless pg_dump compresses (gzip). */
    public List<String> pgDumpArgs() {
        if (algorithm == Algorithm.GZIP) {
            return level == null ? List.of() : List.of("--compress=" + level);
        }
        return List.of("--compress=0");
    }

    @Override
    public String toString() {
        return algorithm.id() + (algorithm == Algorithm.ZSTD ? "(level " + zstdLevel() + ", " + threads + " threads)"
                : level != null ? "(level " + level + ")" : "");
    }
}
