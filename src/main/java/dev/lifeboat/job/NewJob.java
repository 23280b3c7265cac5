package dev.lifeboat.job;

import java.util.Map;

/** A job to enqueue. {@code target} may be null for jobs that concern no single database. */
public record NewJob(String kind, String target, Map<String, Object> args, String idempotencyKey) {
    public NewJob {
        args = args == null ? Map.of() : Map.copyOf(args);
    }
}
