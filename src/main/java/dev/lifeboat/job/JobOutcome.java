package dev.lifeboat.job;

import java.util.Map;

/** What a handler says about a finished attempt; the worker turns it into a state transition. */
public sealed interface JobOutcome {

    /** The work is done; {@code result} is stored on the job (never put secrets in it). */
    record Succeeded(Map<String, Object> result) implements JobOutcome {
    }

    /** The attempt failed for a reason that may pass (network, lock timeout): retry with backoff while attempts remain. */
    record Retry(String error) implements JobOutcome {
    }

    /** The job cannot succeed by retrying (bad password, unknown database): fail now. */
    record GiveUp(String error) implements JobOutcome {
    }

    static JobOutcome succeeded(Map<String, Object> result) {
        return new Succeeded(result == null ? Map.of() : result);
    }

    static JobOutcome retry(String error) {
        return new Retry(error);
    }

    static JobOutcome giveUp(String error) {
        return new GiveUp(error);
    }
}
