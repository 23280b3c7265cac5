package dev.lifeboat.pg;

import dev.lifeboat.config.LifeboatConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The pg_dump command line of a backup. The dump goes to stdout, to be streamed onward (digest,
 * encryption, upload) without a temporary copy.
 *
 * @param format          {@code custom} (the default: compressed, restorable table by table with pg_restore),
 *                        {@code plain} or {@code tar}; {@code directory} needs a path and is not offered
 * @param snapshot        a snapshot exported by {@link SnapshotSession}, so the dump shows exactly the
 *                        state its row counts were taken in; null to let pg_dump take its own
 * @param lockWaitTimeout how long pg_dump waits for each table's shared lock before failing
 * @param timeout         upper bound of the whole run
 * @param extraArgs       further pg_dump arguments (e.g. {@code --exclude-table-data=…}); never a password
 */
public record PgDump(String format, String snapshot, Duration lockWaitTimeout, Duration timeout, List<String> extraArgs) {
    public static final List<String> FORMATS = List.of("custom", "plain", "tar", "directory");

    public PgDump {
        Objects.requireNonNull(lockWaitTimeout, "lockWaitTimeout");
        Objects.requireNonNull(timeout, "timeout");
        if (!FORMATS.contains(format)) {
            throw new IllegalArgumentException("pg_dump format '" + format + "' is not supported. Hint: use one of " + FORMATS);
        }
        extraArgs = List.copyOf(extraArgs);
    }

    /** A custom-format dump in {@code snapshot}, with the configured lock wait timeout and run timeout. */
    public static PgDump of(LifeboatConfig.Pg config, String snapshot) {
        return new PgDump("custom", snapshot, config.lockWaitTimeout(), config.dumpTimeout(), List.of());
    }

    public PgDump withSnapshot(String id) {
        return new PgDump(format, id, lockWaitTimeout, timeout, extraArgs);
    }

    public PgDump withLockWaitTimeout(Duration d) {
        return new PgDump(format, snapshot, d, timeout, extraArgs);
    }

    public PgDump withTimeout(Duration d) {
        return new PgDump(format, snapshot, lockWaitTimeout, d, extraArgs);
    }

    public PgDump withExtraArgs(List<String> args) {
        return new PgDump(format, snapshot, lockWaitTimeout, timeout, args);
    }

    /** pg_dump's arguments (without the executable): everything but the connection, which goes in the environment. */
    public List<String> args() {
        List<String> args = new ArrayList<>();
        args.add("--format=" + format);
        args.add("--no-password"); // never prompt: a missing or wrong password fails at once
        args.add("--lock-wait-timeout=" + Math.max(1, lockWaitTimeout.toMillis())); // milliseconds, understood by every version
        if (snapshot != null) {
            args.add("--snapshot=" + snapshot);
        }
        args.addAll(extraArgs);
        return args;
    }

    /** The command for {@code pgDump} (see {@link PgTools#pgDump}) against {@code connection}, stdout piped. */
    public PgCommand command(PgTools.Tool pgDump, PgConnectInfo connection) {
        return PgCommand.of(pgDump).args(args()).connection(connection).timeout(timeout).stdout(PgCommand.Stdout.PIPE);
    }

    /** Starts pg_dump; read {@link PgProcess#stdout()} to the end, then {@link PgProcess#waitFor()}. */
    public PgProcess start(PgTools.Tool pgDump, PgConnectInfo connection) {
        return PgProcess.start(command(pgDump, connection));
    }
}
