package dev.lifeboat.job;

/**
 * What a handler says about a finished attempt; the worker turns it into a state transition.
 *
 * @param <R> the kind's result record
 */
public sealed interface JobOutcome<R> {

    /** The work is done; {@code result} is stored on the job as JSON (never put secrets in it). */
    record Succeeded<R>(R result) implements JobOutcome<R> {
    }

    /** The attempt failed for a reason that may pass (network, lock timeout): retry with backoff while attempts remain. */
    record Retry<R>(String error) implements JobOutcome<R> {
    }

    /** The job cannot succeed by retrying (bad password, unknown database): fail now. */
    record GiveUp<R>(String error) implements JobOutcome<R> {
    }

    static <R> JobOutcome<R> succeeded(R result) {
        return new Succeeded<>(result);
    }

    static <R> JobOutcome<R> retry(String error) {
        return new Retry<>(error);
    }

    static <R> JobOutcome<R> giveUp(String error) {
        return new GiveUp<>(error);
    }
}
