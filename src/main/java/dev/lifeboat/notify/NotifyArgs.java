package dev.lifeboat.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeboat.job.JobArgs;
import dev.lifeboat.job.JobKind;

import java.util.List;
import java.util.UUID;

/**
 * A {@code notify} job: one delivery of one event to one webhook.
 *
 * @param event    {@link NotificationEvent#id()}
 * @param jobId    the job the event is about
 * @param backupId for {@code anomaly.detected}: the backup that looks wrong; else null
 * @param warnings for {@code anomaly.detected}: what looks wrong; else null
 * @param webhook  the webhook's name ({@code lifeboat.notifications.webhooks.<name>})
 * @param pinned   for {@code anomaly.detected}: the backup from before, pinned so that retention keeps it; else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NotifyArgs(String event, UUID jobId, UUID backupId, List<String> warnings, String webhook, UUID pinned) implements JobArgs {
    @Override
    public String kind() {
        return JobKind.NOTIFY.id();
    }
}
