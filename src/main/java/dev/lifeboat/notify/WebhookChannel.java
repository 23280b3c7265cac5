package dev.lifeboat.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.crypto.WebhookSignature;
import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Webhooks ({@code lifeboat.notifications.webhooks.<name>}): POSTs a JSON body ({@code event}, {@code at},
 * {@code target}, {@code job}, {@code message}, and for anomalies {@code backupId}, {@code warnings} and
 * {@code pinned}) with {@code X-Lifeboat-Event}, {@code X-Lifeboat-Delivery} (the notify job's id, the same
 * on every retry), {@code X-Lifeboat-Timestamp} and, with a secret, {@code X-Lifeboat-Signature} (see
 * {@link WebhookSignature}: an HMAC-SHA256 of {@code "<timestamp>.<body>"}). Any non-2xx answer, or none
 * within {@code lifeboat.notifications.timeout}, is retried with the queue's backoff until the attempts
 * are spent: the receiver is the admin's own code, which may be down for a deploy.
 */
@ApplicationScoped
public class WebhookChannel implements NotificationChannel {
    /** A webhook's channel id (its configuration is under {@code webhooks}, as it always was). */
    public static final String ID = "webhook";

    @Inject
    LifeboatConfig config;
    @Inject
    HttpDelivery http;
    @Inject
    ObjectMapper json;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Map<String, LifeboatConfig.Notifications.Webhook> configured(LifeboatConfig.Notifications notifications) {
        return notifications.webhooks();
    }

    @Override
    public JobOutcome<NotifyResult> deliver(String name, Notice notice) throws Exception {
        LifeboatConfig.Notifications.Webhook hook = config.notifications().webhooks().get(name);
        if (hook == null) {
            return JobOutcome.giveUp("webhook " + name + " is no longer configured");
        }
        NotifyArgs args = notice.args();
        Job about = notice.about();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", notice.event().id());
        body.put("at", notice.at().toString());
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
        body.put("message", notice.message());
        byte[] payload = json.writeValueAsBytes(body);

        HttpRequest.Builder request = http.request(hook.url())
                .header("Content-Type", "application/json")
                .header("X-Lifeboat-Event", notice.event().id()).header("X-Lifeboat-Delivery", notice.delivery().toString())
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        long timestamp = notice.at().getEpochSecond();
        request.header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp));
        hook.secret().ifPresent(secret -> request.header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(secret, timestamp, payload)));
        String where = "webhook " + name + " (" + HttpDelivery.shown(hook.url()) + ")";
        try {
            HttpResponse<Void> response = http.client().send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                return JobOutcome.retry(where + " answered HTTP " + response.statusCode());
            }
        } catch (IOException e) {
            return JobOutcome.retry(where + " could not be reached: "
                    + HttpDelivery.redact(e.toString(), hook.secret().map(List::of).orElse(List.of())));
        }
        return JobOutcome.succeeded(NotifyResult.of(args));
    }
}
