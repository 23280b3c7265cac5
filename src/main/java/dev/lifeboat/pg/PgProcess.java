package dev.lifeboat.pg;

import org.jboss.logging.Logger;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A running PostgreSQL tool (pg_dump, pg_restore, psql, pg_dumpall).
 *
 * <ul>
 *   <li>Arguments are a list, never a shell line. Connection parameters are in the child's environment
 *   (every inherited {@code PG*} variable is removed first); the password is in a temporary
 *   {@code PGPASSFILE} created with mode 0600 before the secret is written, and deleted as soon as the
 *   tool exits (or by {@link #close()}). It is never on the argument list, in the environment, in a
 *   log or in an exception.</li>
 *   <li>stdout is the caller's to stream onward ({@link #stdout()}); stderr is read on a thread of its own,
 *   keeping the last {@value #STDERR_TAIL_LINES} lines for the error message.</li>
 *   <li>{@link #cancel()} (wired to a job's cancel with {@link #cancelOn(PgCancel)}) and the timeout
 *   stop the tool and its descendants with SIGTERM (pg_dump and pg_restore then cancel their queries on
 *   the server instead of leaving them running), then SIGKILL after {@value #KILL_GRACE_SECONDS}s.</li>
 *   <li>{@link #waitFor()} checks the exit: a non-zero code, a timeout or a cancel throws
 *   {@link PgProcessException} with the exit code and stderr tail.</li>
 * </ul>
 *
 * <p>Typical use: {@code try (PgProcess p = PgProcess.start(cmd)) { p.cancelOn(ctx::onCancel); copy(p.stdout(), sink); p.waitFor(); }}
 */
public final class PgProcess implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PgProcess.class);
    public static final int STDERR_TAIL_LINES = 50;
    static final int KILL_GRACE_SECONDS = 3;
    private static final int MAX_LINE_CHARS = 2000;
    /** The only variables a tool inherits from Lifeboat's environment (plus {@code LC_*}): where programs are, and the locale. */
    static final Set<String> INHERITED = Set.of("PATH", "LANG", "LANGUAGE", "TZ", "TMPDIR");
    /** Temporary password files are named {@code lifeboat-<pid of the JVM>-<random>.pgpass}. */
    private static final String PASSFILE_PREFIX = "lifeboat-" + ProcessHandle.current().pid() + "-";
    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lifeboat-pg-timer");
        t.setDaemon(true);
        return t;
    });

    private final PgCommand command;
    private final Process process;
    private final Path passfile;
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Thread stderrReader;
    private final ScheduledFuture<?> timeoutTask;
    private volatile boolean cancelled;
    private volatile boolean timedOut;

    private PgProcess(PgCommand command, Process process, Path passfile) {
        this.command = command;
        this.process = process;
        this.passfile = passfile;
        // The passfile is needed until the tool exits: parallel pg_dump/pg_restore workers connect late.
        process.onExit().thenRun(this::deletePassfile);
        this.stderrReader = new Thread(this::readStderr, "lifeboat-" + command.tool() + "-stderr-" + process.pid());
        stderrReader.setDaemon(true);
        stderrReader.start();
        Duration timeout = command.timeout();
        this.timeoutTask = timeout == null ? null : TIMERS.schedule(() -> {
            if (process.isAlive()) {
                timedOut = true;
                stopTree();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (timeoutTask != null) {
            process.onExit().thenRun(() -> timeoutTask.cancel(false));
        }
        if (!command.stdinOpen()) {
            closeQuietly(process.getOutputStream());
        }
    }

    /**
     * Starts the command.
     *
     * @throws PgProcessException if the executable cannot be started
     * @throws PgPermanentException if the password cannot be put in a password file (a line break in it)
     */
    public static PgProcess start(PgCommand command) {
        PgConnectInfo conn = command.connection();
        if (conn == null) {
            throw new IllegalArgumentException("PgCommand " + command.tool() + " has no connection");
        }
        List<String> cmdline = new ArrayList<>();
        cmdline.add(command.executable().toString());
        cmdline.addAll(command.args());
        Path passfile = null;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmdline);
            Map<String, String> env = pb.environment();
            // Built from nothing: Lifeboat's own secrets (QUARKUS_DATASOURCE_PASSWORD, S3 keys, any *_PASSWORD or
            // *_SECRET) never reach a child, and nothing of Lifeboat's (PGPASSWORD, PGSERVICE, PGOPTIONS…) steers it.
            Map<String, String> inherited = Map.copyOf(env);
            env.clear();
            inherited.forEach((k, v) -> {
                if (INHERITED.contains(k) || k.startsWith("LC_")) {
                    env.put(k, v);
                }
            });
            env.put("PGHOST", conn.host());
            env.put("PGPORT", Integer.toString(conn.port()));
            env.put("PGUSER", conn.username());
            env.put("PGDATABASE", conn.database());
            env.put("PGAPPNAME", "lifeboat-" + command.tool());
            env.put("PGCONNECT_TIMEOUT", Long.toString(Math.max(2, conn.connectTimeout().toSeconds())));
            // As on Lifeboat's own connections: objects planted in the target's schemas never stand in for built-ins.
            env.put("PGOPTIONS", "-c search_path=" + PgConnectInfo.SAFE_SEARCH_PATH);
            env.put("PGSSLMODE", conn.tls().mode().id());
            if (conn.tls().rootCert() != null) {
                env.put("PGSSLROOTCERT", conn.tls().rootCert().toString());
            }
            if (conn.password() != null) {
                passfile = writePassfile(conn);
                env.put("PGPASSFILE", passfile.toString());
            }
            pb.redirectOutput(command.stdoutMode() == PgCommand.Stdout.DISCARD ? ProcessBuilder.Redirect.DISCARD
                    : ProcessBuilder.Redirect.PIPE);
            pb.redirectError(ProcessBuilder.Redirect.PIPE);
            Process process = pb.start();
            LOG.debugf("started %s as pid %d", command, process.pid());
            return new PgProcess(command, process, passfile);
        } catch (IOException e) {
            deleteQuietly(passfile);
            throw new PgProcessException("cannot start " + command.tool() + " " + command.executable() + " (" + conn.describe() + "): "
                    + conn.redact(e.getMessage()) + ". Hint: check lifeboat.pg.bin-dirs and the temporary directory ("
                    + System.getProperty("java.io.tmpdir") + ")", PgProcessException.Reason.FAILED, null, List.of());
        } catch (RuntimeException e) {
            deleteQuietly(passfile);
            throw e;
        }
    }

    /** The tool's standard output; read it to the end, or {@link #close()} to give up. */
    public InputStream stdout() {
        if (command.stdoutMode() != PgCommand.Stdout.PIPE) {
            throw new IllegalStateException(command.tool() + " was started with stdout " + command.stdoutMode());
        }
        return process.getInputStream();
    }

    /** The tool's standard input, when the command asked for it ({@link PgCommand#stdin(boolean)}); close it when done. */
    public OutputStream stdin() {
        if (!command.stdinOpen()) {
            throw new IllegalStateException(command.tool() + " was started with its stdin closed");
        }
        return process.getOutputStream();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The temporary password file while the tool runs (null without a password); for tests and diagnostics. */
    Path passfile() {
        return passfile;
    }

    /** Stops the tool when its work is told to stop (a job's API cancel, lost lease, shutdown: {@code p.cancelOn(ctx::onCancel)}). */
    public void cancelOn(PgCancel cancel) {
        cancel.onCancel(this::cancel);
    }

    /** Stops the tool and its descendants without waiting; {@link #waitFor()} then throws a {@code CANCELLED} exception. */
    public void cancel() {
        if (process.isAlive()) {
            cancelled = true;
            LOG.infof("cancelling %s (pid %d, %s)", command.tool(), process.pid(), command.connection().describe());
            stopTree();
        }
    }

    /**
     * Waits for the tool to exit and checks how it ended.
     *
     * @throws PgProcessException on a non-zero exit code, a timeout or a cancel, with the stderr tail
     */
    public void waitFor() throws InterruptedException {
        int code = process.waitFor();
        stderrReader.join(TimeUnit.SECONDS.toMillis(5)); // a descendant may hold stderr open: don't wait forever
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
        }
        deletePassfile();
        List<String> tail = stderrTail();
        String what = command.tool() + " (" + command.connection().describe() + ")";
        String stderr = tail.isEmpty() ? " It wrote nothing to stderr." : " Its last stderr lines:\n  " + String.join("\n  ", tail) + "\n";
        if (cancelled) {
            throw new PgProcessException(what + " was cancelled." + stderr + "Hint: nothing to do; a cancelled run leaves nothing behind",
                    PgProcessException.Reason.CANCELLED, null, tail);
        }
        if (timedOut) {
            throw new PgProcessException(what + " was killed after running longer than " + command.timeout() + "." + stderr
                    + "Hint: raise the timeout (lifeboat.pg.dump-timeout for pg_dump) if the database has grown",
                    PgProcessException.Reason.TIMED_OUT, null, tail);
        }
        if (code != 0) {
            throw new PgProcessException(what + " failed with exit code " + code + "." + stderr
                    + "Hint: the stderr lines say why; a retryable failure (lock timeout, lost connection) is tried again",
                    PgProcessException.Reason.FAILED, code, tail);
        }
    }

    /** The last stderr lines so far (password redacted). */
    public List<String> stderrTail() {
        synchronized (stderrTail) {
            return List.copyOf(stderrTail);
        }
    }

    /** Kills the tool if it still runs (waiting up to the grace period for it to go) and removes the password file. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                cancel();
                process.waitFor(KILL_GRACE_SECONDS + 2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (timeoutTask != null) {
                timeoutTask.cancel(false);
            }
            closeQuietly(process.getInputStream());
            deletePassfile();
        }
    }

    /** SIGTERM to the tool and every descendant, SIGKILL to whatever still lives after the grace period. */
    private void stopTree() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList()); // before the parent dies and they are orphaned
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
        tree.add(process.toHandle());
        TIMERS.schedule(() -> tree.forEach(h -> {
            if (h.isAlive()) {
                LOG.warnf("%s pid %d ignored SIGTERM: killing it", command.tool(), h.pid());
                h.destroyForcibly();
            }
        }), KILL_GRACE_SECONDS, TimeUnit.SECONDS);
    }

    private void readStderr() {
        PgConnectInfo conn = command.connection();
        try (Reader r = new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = r.read()) != -1) {
                if (c == '\n') {
                    addStderrLine(RowDataRedaction.redact(conn.redact(line.toString())));
                    line.setLength(0);
                } else if (line.length() < MAX_LINE_CHARS) {
                    line.append((char) c);
                }
            }
            if (!line.isEmpty()) {
                addStderrLine(RowDataRedaction.redact(conn.redact(line.toString())));
            }
        } catch (IOException e) {
            LOG.debugf("stderr of %s: %s", command.tool(), e.getMessage());
        }
    }

    private void addStderrLine(String line) {
        synchronized (stderrTail) {
            if (stderrTail.size() == STDERR_TAIL_LINES) {
                stderrTail.removeFirst();
            }
            stderrTail.addLast(line);
        }
        try {
            command.stderrListener().accept(line);
        } catch (RuntimeException e) {
            LOG.debugf("stderr listener of %s failed: %s", command.tool(), e.getMessage());
        }
    }

    /**
     * Writes {@code *:*:*:*:password} to a new file that is 0600 from its creation (the mode is set
     * atomically by the create call, before the secret is written). Wildcards: this file serves one
     * child process and one server, and host matching (name vs address, socket) can never miss.
     */
    static Path writePassfile(PgConnectInfo conn) throws IOException {
        String password = conn.password();
        if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
            throw new PgPermanentException("the password of " + conn.describe() + " contains a line break, which a"
                    + " password file cannot hold. Hint: change the password, or strip the newline from the password file");
        }
        Path file = Files.createTempFile(PASSFILE_PREFIX, ".pgpass",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(file, "*:*:*:*:" + escapePgpass(password) + "\n", StandardCharsets.UTF_8);
            return file;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(file);
            throw e;
        }
    }

    /**
     * Deletes the temporary password files that a JVM which is no longer running left in {@code dir}
     * (it was killed while a tool ran); run at start-up. Files of live JVMs (another replica on the same
     * host) are left alone.
     *
     * @return how many were deleted
     */
    public static int sweepPassfiles(Path dir) {
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "lifeboat-*.pgpass")) {
            for (Path f : files) {
                String[] parts = f.getFileName().toString().split("-");
                long pid;
                try {
                    pid = Long.parseLong(parts[1]);
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                    pid = -1; // a file of an older Lifeboat (no pid in its name): its JVM is gone too
                }
                if (pid == ProcessHandle.current().pid() || (pid > 0 && ProcessHandle.of(pid).isPresent())) {
                    continue;
                }
                deleteQuietly(f);
                deleted++;
            }
        } catch (IOException e) {
            LOG.warnf("cannot look for leftover password files in %s: %s", dir, e.getMessage());
        }
        if (deleted > 0) {
            LOG.warnf("deleted %d temporary password file(s) left in %s by a Lifeboat that was killed", deleted, dir);
        }
        return deleted;
    }

    /** In a .pgpass field, {@code \} and {@code :} are escaped with a backslash. */
    static String escapePgpass(String s) {
        return s.replace("\\", "\\\\").replace(":", "\\:");
    }

    private void deletePassfile() {
        deleteQuietly(passfile);
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("cannot delete the temporary password file %s: %s", file, e.getMessage());
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }
}
