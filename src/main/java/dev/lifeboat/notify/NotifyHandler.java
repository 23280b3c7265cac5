package dev.lifeboat.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.crypto.WebhookSignature;
import dev.lifeboat.drill.DrillResult;
import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.job.JobQueue;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code notify} job: one webhook delivery. POSTs a JSON body ({@code event}, {@code at},
 * {@code target}, {@code job}, {@code message}, and for anomalies {@code backupId} and {@code warnings})
 * with {@code X-Lifeboat-Event}, {@code X-Lifeboat-Delivery} (the notify job's id, the same on every
 * retry) and, with a secret, {@code X-Lifeboat-Timestamp} and {@code X-Lifeboat-Signature} (see
 * {@link WebhookSignature}: an HMAC-SHA256 of {@code "<timestamp>.<body>"}).
 * A non-2xx answer or none within {@code lifeboat.notifications.timeout} is retried with the queue's
 * backoff until the attempts are spent.
 */
@ApplicationScoped
public class NotifyHandler implements JobHandler<NotifyArgs, NotifyResult> {

    @Inject
    LifeboatConfig config;
    @Inject
    JobQueue queue;
    @Inject
    ObjectMapper json;
    @Inject
    Clock clock;

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
        String name = args.webhook();
        LifeboatConfig.Notifications.Webhook hook = config.notifications().webhooks().get(name);
        if (hook == null) {
            return JobOutcome.giveUp("webhook " + name + " is no longer configured");
        }
        String event = args.event();
        Job about = args.jobId() == null ? null : queue.find(args.jobId()).orElse(null);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("at", clock.instant().toString());
        body.put("target", about == null ? null : about.target);
        if (about != null) {
            Map<String, Object> job = new LinkedHashMap<>();
            job.put("id", about.id.toString());
            job.put("kind", about.kind);
            job.put("status", about.state);
            job.put("attempt", about.attempt);
            job.put("error", about.error);
            job.put("result", about.result);
            body.put("job", job);
        }
        if (args.backupId() != null) {
            body.put("backupId", args.backupId().toString());
            body.put("warnings", args.warnings());
            body.put("pinned", args.pinned() == null ? null : args.pinned().toString());
        }
        body.put("message", message(event, about, args));
        byte[] payload = json.writeValueAsBytes(body);

        HttpRequest.Builder request = HttpRequest.newBuilder(hook.url()).timeout(config.notifications().timeout())
                .header("Content-Type", "application/json").header("User-Agent", "lifeboat")
                .header("X-Lifeboat-Event", event).header("X-Lifeboat-Delivery", ctx.jobId().toString())
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        long timestamp = clock.instant().getEpochSecond();
        request.header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp));
        hook.secret().ifPresent(secret -> request.header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(secret, timestamp, payload)));
        String where = "webhook " + name + " (" + hook.url().getScheme() + "://" + hook.url().getHost() + ")";
        try {
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                return JobOutcome.retry(where + " answered HTTP " + response.statusCode());
            }
        } catch (IOException e) {
            return JobOutcome.retry(where + " could not be reached: " + e);
        }
        return JobOutcome.succeeded(new NotifyResult(name, event));
    }

    /** One client for every delivery (its connection pool and threads are shared). */
    private HttpClient client;

    @PostConstruct
    void init() {
        client = HttpClient.newBuilder().connectTimeout(config.notifications().timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
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
