package dev.lifeboat.target;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A database Lifeboat protects, as declared in {@code lifeboat.targets.<name>.*}. The password is
 * not held here: {@link #password()} reads it from its source on each use, so a rotated Kubernetes
 * Secret takes effect without a restart, and {@code toString} can never leak it.
 */
public record Target(String name, String host, int port, String database, String username,
                     List<String> storage, Profile profile, PasswordSource passwordSource,
                     DumpFormat format, int jobs, Compression compression, boolean globals, RestoreOptions restore,
                     RetentionRules retention, Schedule schedule, Tls tls, DrillOptions drill) {

    /** A target with the default backup and restore options: custom format, zstd, no globals, no retention or schedules. */
    public Target(String name, String host, int port, String database, String username,
                  List<String> storage, Profile profile, PasswordSource passwordSource) {
        this(name, host, port, database, username, storage, profile, passwordSource, DumpFormat.CUSTOM, 1, Compression.defaults(), false,
                RestoreOptions.defaults(username), RetentionRules.NONE, Schedule.NONE, Tls.DEFAULT, DrillOptions.DEFAULT);
    }

    /**
     * How restores and drills of this target run ({@code lifeboat.targets.<name>.restore.*} and {@code .hooks.*}).
     *
     * @param role        what restored objects belong to ({@code --no-owner --role=<role>}), unless keepOwners
     * @param jobs        parallel pg_restore jobs: {@code restore.jobs}, by default the target's dump {@code jobs}
     * @param preRestore  webhook before a replace restore fences the database, or null
     * @param postRestore webhook after a replace restore swapped the databases (or ended without swapping), or null
     * @param hookSecret  HMAC key the hook requests are signed with, or null (never printed)
     * @param servers     the other servers ({@code lifeboat.servers.<name>}) backups may be restored to
     */
    public record RestoreOptions(String role, boolean keepOwners, boolean privileges, int jobs,
                                 URI preRestore, URI postRestore, Duration hookTimeout, String hookSecret, List<String> servers) {
        public static RestoreOptions defaults(String username) {
            return new RestoreOptions(username, false, true, 1, null, null, Duration.ofSeconds(60), null, List.of());
        }

        @Override
        public String toString() {
            return "RestoreOptions[role=" + role + ", keepOwners=" + keepOwners + ", privileges=" + privileges + ", jobs=" + jobs
                    + ", preRestore=" + preRestore + ", postRestore=" + postRestore + ", hookTimeout=" + hookTimeout
                    + ", hookSecret=" + (hookSecret == null ? "none" : "***") + ", servers=" + servers + "]";
        }

        /**
         * pg_restore's ownership options: {@code --no-owner --role=<role>} unless the dump's owners are
         * kept, and {@code --no-privileges} unless grants are restored.
         */
        public List<String> pgRestoreOptions() {
            List<String> args = new ArrayList<>();
            if (!keepOwners) {
                args.add("--no-owner");
                args.add("--role=" + role);
            }
            if (!privileges) {
                args.add("--no-privileges");
            }
            return List.copyOf(args);
        }
    }

    /**
     * Where and how the target's drills run ({@code lifeboat.targets.<name>.drill.*}).
     *
     * @param server the server drills restore into ({@code lifeboat.servers.<name>}), or null for the target's own
     * @param checks the admin's own checks: name to one SQL query returning one boolean
     */
    public record DrillOptions(String server, Map<String, String> checks) {
        public static final DrillOptions DEFAULT = new DrillOptions(null, Map.of());
    }

    /**
     * When the target's backups and drills run on their own ({@code lifeboat.targets.<name>.schedule.*}):
     * Quartz cron expressions, or null.
     */
    public record Schedule(String backup, String drill) {
        public static final Schedule NONE = new Schedule(null, null);
    }

    /** Where the password comes from; never printed. */
    public sealed interface PasswordSource {
        record None() implements PasswordSource {
        }

        record Literal(String value) implements PasswordSource {
            @Override
            public String toString() {
                return "Literal[***]";
            }
        }

        record File(Path path) implements PasswordSource {
        }
    }

    /** The password, if one is configured; a password file's trailing newline is dropped. */
    public Optional<String> password() throws IOException {
        return readPassword(passwordSource);
    }

    static Optional<String> readPassword(PasswordSource source) throws IOException {
        if (source instanceof PasswordSource.Literal l) {
            return Optional.of(l.value());
        }
        if (source instanceof PasswordSource.File f) {
            return Optional.of(stripNewline(Files.readString(f.path())));
        }
        return Optional.empty();
    }

    /** The target's own server, as drills and restores reach it. */
    public Server ownServer() {
        return new Server(name, true, host, port, username, passwordSource, tls, "postgres");
    }

    public boolean passwordConfigured() {
        return !(passwordSource instanceof PasswordSource.None);
    }

    private static String stripNewline(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }
}
