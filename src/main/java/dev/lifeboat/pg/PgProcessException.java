package dev.lifeboat.pg;

import java.util.List;

/**
 * A PostgreSQL tool failed: it exited non-zero, timed out, or was cancelled. The message names the
 * tool and target and carries the exit code and the last lines of stderr (never a password).
 * Retryable, like any exception other than {@link PgPermanentException}.
 */
public class PgProcessException extends RuntimeException {
    /** How the run ended. */
    public enum Reason {
        /** The tool exited with a non-zero code. */
        FAILED,
        /** It ran longer than its timeout and was killed. */
        TIMED_OUT,
        /** {@link PgProcess#cancel()} killed it. */
        CANCELLED
    }

    private final Reason reason;
    private final Integer exitCode;
    private final List<String> stderrTail;

    public PgProcessException(String message, Reason reason, Integer exitCode, List<String> stderrTail) {
        super(message);
        this.reason = reason;
        this.exitCode = exitCode;
        this.stderrTail = List.copyOf(stderrTail);
    }

    public Reason reason() {
        return reason;
    }

    /** The exit code, or null when the process was killed before it told one. */
    public Integer exitCode() {
        return exitCode;
    }

    /** The last lines the tool wrote to stderr (at most {@link PgProcess#STDERR_TAIL_LINES}). */
    public List<String> stderrTail() {
        return stderrTail;
    }
}
