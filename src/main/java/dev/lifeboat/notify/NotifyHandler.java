package dev.lifeboat.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.job.JobQueue;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code notify} job: one webhook delivery. POSTs a JSON body ({@code event}, {@code at},
 * {@code target}, {@code job}, {@code message}, and for anomalies {@code backupId} and {@code warnings})
 * with {@code X-Lifeboat-Event}, {@code X-Lifeboat-Delivery} (the notify job's id, the same on every
 * retry) and, with a secret, {@code X-Lifeboat-Signature: sha256=<hex HMAC-SHA256 of the body>}.
 * A non-2xx answer or none within {@code lifeboat.notifications.timeout} is retried with the queue's
 * backoff until the attempts are spent.
 */
@ApplicationScoped
public class NotifyHandler implements JobHandler {
    public static final String KIND = "notify";

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
        return KIND;
    }

    @Override
    public JobOutcome run(JobContext ctx) throws Exception {
        Map<String, Object> args = ctx.args();
        String name = String.valueOf(args.get("webhook"));
        LifeboatConfig.Notifications.Webhook hook = config.notifications().webhooks().get(name);
        if (hook == null) {
            return JobOutcome.giveUp("webhook " + name + " is no longer configured");
        }
        String event = String.valueOf(args.get("event"));
        Job about = queue.find(UUID.fromString(String.valueOf(args.get("jobId")))).orElse(null);
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
        if (args.containsKey("backupId")) {
            body.put("backupId", args.get("backupId"));
            body.put("warnings", args.get("warnings"));
        }
        body.put("message", message(event, about, args));
        byte[] payload = json.writeValueAsBytes(body);

        HttpRequest.Builder request = HttpRequest.newBuilder(hook.url()).timeout(config.notifications().timeout())
                .header("Content-Type", "application/json").header("User-Agent", "lifeboat")
                .header("X-Lifeboat-Event", event).header("X-Lifeboat-Delivery", ctx.jobId().toString())
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        hook.secret().ifPresent(secret -> request.header("X-Lifeboat-Signature", "sha256=" + sign(secret, payload)));
        String where = "webhook " + name + " (" + hook.url().getScheme() + "://" + hook.url().getHost() + ")";
        try {
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                return JobOutcome.retry(where + " answered HTTP " + response.statusCode());
            }
        } catch (IOException e) {
            return JobOutcome.retry(where + " could not be reached: " + e);
        }
        return JobOutcome.succeeded(Map.of("webhook", name, "event", event));
    }

    /** One client for every delivery (its connection pool and threads are shared). */
    private HttpClient client;

    @jakarta.annotation.PostConstruct
    void init() {
        client = HttpClient.newBuilder().connectTimeout(config.notifications().timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Hex HMAC-SHA256 of {@code body} with {@code secret}, as receivers recompute it. */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One human sentence. */
    static String message(String event, Job job, Map<String, Object> args) {
        String what = job == null ? "a job" : (job.kind + (job.target == null ? "" : " of " + job.target));
        String firstLine = job == null || job.error == null ? "" : job.error.lines().findFirst().orElse("");
        return switch (event) {
            case "job.failed" -> "Lifeboat: the " + what + " failed: " + firstLine;
            case "job.succeeded" -> "Lifeboat: the " + what + " succeeded.";
            case "drill.failed" -> "Lifeboat: the restore drill of " + (job == null ? "a backup" : job.target) + " did not pass: "
                    + (job.result == null ? "" : job.result.get("reason"));
            case "drill.passed" -> "Lifeboat: the restore drill of " + (job == null ? "a backup" : job.target) + " passed"
                    + (job == null || job.result == null ? "." : " (restored in " + job.result.get("restoreSeconds") + " s).");
            case "anomaly.detected" -> "Lifeboat: backup " + args.get("backupId") + " of " + (job == null ? "a target" : job.target)
                    + " looks wrong: " + String.join("; ", castList(args.get("warnings")));
            default -> "Lifeboat: " + event;
        };
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return o instanceof List<?> l ? (List<String>) l : List.of();
    }
}
