package dev.lifeboat.pg;

/**
 * A PostgreSQL problem that retrying cannot fix: a wrong password, an unknown role or database, a
 * missing privilege, no fitting client tool installed. The message names what is wrong and ends with
 * a hint on what to change (never a password). Job handlers turn it into a permanent job failure.
 */
public class PgPermanentException extends RuntimeException {
    public PgPermanentException(String message) {
        super(message);
    }

    public PgPermanentException(String message, Throwable cause) {
        super(message, cause);
    }
}
