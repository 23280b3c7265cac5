package dev.lifeboat.notify;

import dev.lifeboat.drill.DrillResult;
import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.job.JobQueue;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.List;

/**
 * The {@code notify} job: one delivery of one event to one webhook or channel. It says what happened
 * (a {@link Notice}: title, sentence, the job it is about) and hands it to the {@link NotificationChannel}
 * the job names, which formats and sends it. What the channel says decides: delivered, retried with the
 * queue's backoff (receiver unreachable or failing), or given up (it refused for good).
 */
@ApplicationScoped
public class NotifyHandler implements JobHandler<NotifyArgs, NotifyResult> {

    @Inject
    JobQueue queue;
    @Inject
    Clock clock;
    @Inject
    Instance<NotificationChannel> channels;

    @Override
    public String kind() {
        return JobKind.NOTIFY.id();
    }

    @Override
    public Class<NotifyArgs> argsType() {
        return NotifyArgs.class;
    }

    @Override
    public JobOutcome<NotifyResult> run(JobContext ctx, NotifyArgs args) throws Exception {
        NotificationChannel channel = channels.stream().filter(c -> c.id().equals(args.channelId())).findFirst().orElse(null);
        if (channel == null) {
            return JobOutcome.giveUp("there is no notification channel " + args.channelId());
        }
        Job about = args.jobId() == null ? null : queue.find(args.jobId()).orElse(null);
        NotificationEvent event = NotificationEvent.parse(args.event()).orElse(NotificationEvent.ALL);
        Notice notice = new Notice(event, args, about, title(event, about, args), message(args.event(), about, args), ctx.jobId(), clock.instant());
        try {
            return channel.deliver(args.recipient(), notice);
        } catch (IllegalArgumentException badValue) {
            // The JDK quotes a header value it refuses, and that value may be a token: not shown.
            return JobOutcome.giveUp(args.channelId() + " " + args.recipient() + " could not make its request from its configuration ("
                    + badValue.getClass().getSimpleName() + ", not shown as it may quote a token). Hint: look for a line break or space"
                    + " inside a token or URL of lifeboat.notifications." + args.channelId() + "." + args.recipient());
        }
    }

    /** A short line: {@code Lifeboat: backup of mastodon failed}. */
    static String title(NotificationEvent event, Job job, NotifyArgs args) {
        String what = job == null ? "a job" : (job.kind + (job.target == null ? "" : " of " + job.target));
        String of = job == null || job.target == null ? "a target" : job.target;
        return "Lifeboat: " + switch (event) {
            case JOB_FAILED -> what + " failed";
            case JOB_SUCCEEDED -> what + " succeeded";
            case DRILL_FAILED -> "restore drill of " + of + " did not pass";
            case DRILL_PASSED -> "restore drill of " + of + " passed";
            case ANOMALY_DETECTED -> "backup of " + of + " looks wrong";
            case ALL -> args.event();
        };
    }

    /** One human sentence. */
    String message(String event, Job job, NotifyArgs args) {
        String what = job == null ? "a job" : (job.kind + (job.target == null ? "" : " of " + job.target));
        String firstLine = job == null || job.error == null ? "" : job.error.lines().findFirst().orElse("");
        DrillResult drill = job != null && job.is(JobKind.DRILL) ? queue.result(job, DrillResult.class).orElse(null) : null;
        String of = job == null ? "a backup" : job.target;
        return switch (NotificationEvent.parse(event).orElse(NotificationEvent.ALL)) {
            case JOB_FAILED -> "Lifeboat: the " + what + " failed: " + firstLine;
            case JOB_SUCCEEDED -> "Lifeboat: the " + what + " succeeded.";
            case DRILL_FAILED -> "Lifeboat: the restore drill of " + of + " did not pass: " + (drill == null ? "" : drill.reason());
            case DRILL_PASSED -> "Lifeboat: the restore drill of " + of + " passed"
                    + (drill == null ? "." : " (restored in " + drill.restoreSeconds() + " s).");
            case ANOMALY_DETECTED -> "Lifeboat: backup " + args.backupId() + " of " + (job == null ? "a target" : job.target)
                    + " looks wrong: " + String.join("; ", args.warnings() == null ? List.of() : args.warnings())
                    + (args.pinned() == null ? "" : ". Backup " + args.pinned() + ", the newest from before, is pinned: retention keeps it"
                    + " until an admin unpins it.");
            case ALL -> "Lifeboat: " + event;
        };
    }
}
