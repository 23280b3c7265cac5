package dev.lifeboat.job;

/**
 * A job to enqueue: its arguments (which name its kind), the target it concerns ({@code null} for
 * jobs that concern no single database) and an optional idempotency key.
 */
public record NewJob(JobArgs args, String target, String idempotencyKey) {
    public NewJob {
        if (args == null) {
            throw new IllegalArgumentException("a job needs its arguments record");
        }
    }

    public static NewJob of(JobArgs args, String target) {
        return new NewJob(args, target, null);
    }

    public String kind() {
        return args.kind();
    }
}
