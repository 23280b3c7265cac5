package dev.lifeboat.notify;

import java.util.Arrays;
import java.util.Optional;

/** What a webhook can be told about ({@code lifeboat.notifications.webhooks.<name>.events}). */
public enum NotificationEvent {
    /** A backup, restore, drill, verify, prune or catalog rebuild failed for good. */
    JOB_FAILED("job.failed"),
    /** One of those jobs succeeded. */
    JOB_SUCCEEDED("job.succeeded"),
    /** A drill ran and the backup did not pass. */
    DRILL_FAILED("drill.failed"),
    /** A drill ran and the backup passed. */
    DRILL_PASSED("drill.passed"),
    /** A backup shows a table that lost rows or vanished, or a much smaller dump, than the previous one. */
    ANOMALY_DETECTED("anomaly.detected"),
    /** In a webhook's list: every event. */
    ALL("*");

    private final String id;

    NotificationEvent(String id) {
        this.id = id;
    }

    /** The name in configuration, the body's {@code event} and the {@code X-Lifeboat-Event} header. */
    public String id() {
        return id;
    }

    public static Optional<NotificationEvent> parse(String id) {
        return Arrays.stream(values()).filter(e -> e.id.equals(id)).findFirst();
    }
}
