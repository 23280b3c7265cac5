package dev.lifeboat.job;

/** Thrown by a handler for an error that retrying cannot fix; the job fails at once. */
public class PermanentJobException extends RuntimeException {
    public PermanentJobException(String message) {
        super(message);
    }

    public PermanentJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
