package dev.lifeboat.pg;

/**
 * pg's cancellation handle: whoever runs a tool says how to hear about a cancel, e.g. a job's
 * {@code ctx::onCancel}. The action registered is run once, when the work is told to stop (at once if
 * it already was).
 */
@FunctionalInterface
public interface PgCancel {
    void onCancel(Runnable action);
}
