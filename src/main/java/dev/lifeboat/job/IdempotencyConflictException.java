package dev.lifeboat.job;

/** The Idempotency-Key was already used for a different request. */
public class IdempotencyConflictException extends RuntimeException {
    public IdempotencyConflictException(String message) {
        super(message);
    }
}
