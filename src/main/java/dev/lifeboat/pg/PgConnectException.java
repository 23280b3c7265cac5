package dev.lifeboat.pg;

/**
 * A connection to a target failed for a reason that may pass (refused, timed out, server starting up,
 * too many connections): the job is retried. Configuration errors are
 * {@link PgPermanentException}s instead.
 */
public class PgConnectException extends RuntimeException {
    public PgConnectException(String message, Throwable cause) {
        super(message, cause);
    }
}
