package dev.lifeboat.job;

/** Lifeboat's own database refused or could not run a queue statement (it is down, or a bug). */
public class JobQueueException extends RuntimeException {
    public JobQueueException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
