package dev.lifeboat.notify;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeboat.job.JobArgs;
import dev.lifeboat.job.JobKind;

import java.util.List;
import java.util.UUID;

/**
 * A {@code notify} job: one delivery of one event to one webhook or channel.
 * A webhook delivery has {@code webhook} set and no {@code channel}, as every row written before the other
 * channels existed has; any other channel has {@code channel} and {@code name} (never a secret: tokens and
 * URLs stay in the configuration).
 *
 * @param event    {@link NotificationEvent#id()}
 * @param jobId    the job the event is about
 * @param backupId for {@code anomaly.detected}: the backup that looks wrong; else null
 * @param warnings for {@code anomaly.detected}: what looks wrong; else null
 * @param webhook  a webhook delivery: the webhook's name ({@code lifeboat.notifications.webhooks.<name>}); else null
 * @param pinned   for {@code anomaly.detected}: the backup from before, pinned so that retention keeps it; else null
 * @param channel  any other channel: its kind ({@code slack}, {@code discord}, {@code ntfy}, {@code matrix},
 *                 {@code email}, {@code mastodon}); null for a webhook
 * @param name     with {@code channel}: its name ({@code lifeboat.notifications.<channel>.<name>}); else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NotifyArgs(String event, UUID jobId, UUID backupId, List<String> warnings, String webhook, UUID pinned,
                         String channel, String name) implements JobArgs {

    /** A delivery to {@code name} of channel {@code channel} ({@link WebhookChannel#ID} for a webhook). */
    public static NotifyArgs of(String channel, String name, String event, UUID jobId, UUID backupId, List<String> warnings, UUID pinned) {
        return WebhookChannel.ID.equals(channel)
                ? new NotifyArgs(event, jobId, backupId, warnings, name, pinned, null, null)
                : new NotifyArgs(event, jobId, backupId, warnings, null, pinned, channel, name);
    }

    @Override
    public String kind() {
        return JobKind.NOTIFY.id();
    }

    /** The channel's kind; {@code webhook} for rows that name only a webhook. */
    @JsonIgnore
    public String channelId() {
        return channel == null ? WebhookChannel.ID : channel;
    }

    /** The webhook's or channel's configured name. */
    @JsonIgnore
    public String recipient() {
        return channel == null ? webhook : name;
    }
}
