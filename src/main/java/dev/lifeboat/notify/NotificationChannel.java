package dev.lifeboat.notify;

import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.JobOutcome;

import java.util.Map;

/**
 * One kind of receiver of notifications (webhooks, Slack, Discord, ntfy, Matrix, email, Mastodon): its
 * configured instances, and how one {@link Notice} is formatted and sent to one of them. Implementations
 * are CDI beans; {@link Notifier} queues a {@code notify} job per instance that wants an event, and
 * {@link NotifyHandler} hands the job to the channel it names.
 */
public interface NotificationChannel {

    /** The channel's kind: the key under {@code lifeboat.notifications} (e.g. {@code slack}), {@code webhook} for webhooks. */
    String id();

    /** The configured instances by name, e.g. {@code lifeboat.notifications.slack.<name>.*}. */
    Map<String, ? extends LifeboatConfig.Notifications.Channel> configured(LifeboatConfig.Notifications config);

    /**
     * Sends one notice to the instance {@code name}: succeeded when the receiver took it; retry when it may
     * take it later (unreachable, 5xx, 429); give up when it never will (bad token, unknown room, gone).
     * An error never contains a token, a password or a secret URL.
     */
    JobOutcome<NotifyResult> deliver(String name, Notice notice) throws Exception;
}
