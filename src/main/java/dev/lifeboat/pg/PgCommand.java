package dev.lifeboat.pg;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One run of a PostgreSQL tool: the executable, its arguments (a list, never a shell line), where it
 * connects and how long it may take. Connection parameters go into the child's environment
 * ({@code PGHOST}, {@code PGPORT}, {@code PGUSER}, {@code PGDATABASE}) and the password into a
 * temporary {@code PGPASSFILE}, never into the arguments. Start it with {@link PgProcess#start}.
 */
public final class PgCommand {
    /** What becomes of the tool's standard output. */
    public enum Stdout {
        /** Handed to the caller ({@link PgProcess#stdout()}), who must read it to the end (pg_dump). */
        PIPE,
        /** Thrown away (pg_restore into a database, psql commands). */
        DISCARD
    }

    private final String tool;
    private final Path executable;
    private final List<String> args = new ArrayList<>();
    private PgConnectInfo connection;
    private Duration timeout;
    private Stdout stdout = Stdout.PIPE;
    private boolean stdin;
    private Consumer<String> stderrListener = line -> { };

    private PgCommand(String tool, Path executable) {
        this.tool = tool;
        this.executable = executable;
    }

    /** A command running {@code tool.path()}. */
    public static PgCommand of(PgTools.Tool tool) {
        return new PgCommand(tool.name(), tool.path());
    }

    /** A command running {@code executable}; {@code tool} names it in messages ({@code pg_restore}). */
    public static PgCommand of(String tool, Path executable) {
        return new PgCommand(tool, executable);
    }

    /** Appends arguments. Never pass a password or a connection string holding one. */
    public PgCommand args(String... more) {
        args.addAll(List.of(more));
        return this;
    }

    public PgCommand args(List<String> more) {
        args.addAll(more);
        return this;
    }

    /** Where the tool connects (required). */
    public PgCommand connection(PgConnectInfo info) {
        this.connection = info;
        return this;
    }

    /** The tool is killed after this long and {@link PgProcess#waitFor()} reports a timeout. Default: none. */
    public PgCommand timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    public PgCommand stdout(Stdout mode) {
        this.stdout = Objects.requireNonNull(mode);
        return this;
    }

    /** Keeps the tool's standard input open for the caller ({@link PgProcess#stdin()}); otherwise it is closed at once. */
    public PgCommand stdin(boolean open) {
        this.stdin = open;
        return this;
    }

    /** Also hands each stderr line (password redacted) to {@code listener}, e.g. the job log. Called on another thread. */
    public PgCommand onStderrLine(Consumer<String> listener) {
        this.stderrListener = Objects.requireNonNull(listener);
        return this;
    }

    String tool() {
        return tool;
    }

    Path executable() {
        return executable;
    }

    List<String> args() {
        return List.copyOf(args);
    }

    PgConnectInfo connection() {
        return connection;
    }

    Duration timeout() {
        return timeout;
    }

    Stdout stdoutMode() {
        return stdout;
    }

    boolean stdinOpen() {
        return stdin;
    }

    Consumer<String> stderrListener() {
        return stderrListener;
    }

    /** The command line (it holds no secret) and the connection, for logs. */
    @Override
    public String toString() {
        return executable + " " + String.join(" ", args) + " (" + (connection == null ? "no connection" : connection.describe()) + ")";
    }
}
