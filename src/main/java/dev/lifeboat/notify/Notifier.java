package dev.lifeboat.notify;

import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.IdempotencyConflictException;
import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobEvents;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.job.NewJob;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Turns what happens into webhook deliveries. Every replica hears every job that finishes (the queue's
 * NOTIFY), looks at it and enqueues a {@code notify} job per webhook that wants the event, with the
 * Idempotency-Key {@code notify:<webhook>:<event>:<job or backup id>}: however many replicas hear it,
 * each webhook gets each event once. The deliveries run on workers of their own ({@link NotifyHandler}),
 * retried with the queue's backoff, so a slow or failing receiver never holds up a backup.
 */
@ApplicationScoped
public class Notifier {
    private static final Logger LOG = Logger.getLogger(Notifier.class);
    public static final Set<String> EVENTS = Set.of("job.failed", "job.succeeded", "drill.failed", "drill.passed", "anomaly.detected", "*");
    /** Kinds whose outcome is news; {@code notify} itself never is (no loops). */
    static final Set<String> KINDS = Set.of("backup", "restore", "drill", "verify", "prune", "catalog_rebuild");

    @Inject
    LifeboatConfig config;
    @Inject
    JobEvents events;
    @Inject
    JobQueue queue;

    private ThreadPoolExecutor executor;
    private final java.util.function.Consumer<JobEvents.Event> listener = this::heard;

    void start(@Observes @Priority(3100) StartupEvent ev) {
        if (config.notifications().webhooks().isEmpty()) {
            return;
        }
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, "lifeboat-notifier");
            t.setDaemon(true);
            return t;
        });
        events.subscribe(listener);
        LOG.infof("notifications to webhooks %s", config.notifications().webhooks().keySet());
    }

    void stop(@Observes ShutdownEvent ev) {
        if (executor != null) {
            events.unsubscribe(listener);
            executor.shutdown();
        }
    }

    private void heard(JobEvents.Event e) {
        if (!"finished".equals(e.type()) || e.jobId() == null) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    jobFinished(e.jobId());
                } catch (RuntimeException ex) {
                    LOG.warnf("could not queue the notifications of job %s: %s", e.jobId(), ex.getMessage());
                }
            });
        } catch (RejectedExecutionException full) {
            LOG.warnf("notification backlog full: job %s is not notified", e.jobId());
        }
    }

    /**
     * Every minute: the jobs of the last 15 minutes that finished, notified again (the Idempotency-Keys
     * make it a no-op for those already queued). Catches events nobody heard: a listener that was
     * reconnecting, or every replica down at the moment a job finished (a rescued job failing, say).
     */
    @io.quarkus.scheduler.Scheduled(every = "60s", delayed = "30s", concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
    void scheduledReconcile() {
        if (executor == null) {
            return;
        }
        try {
            reconcile(java.time.Duration.ofMinutes(15));
        } catch (RuntimeException e) {
            LOG.warnf("notification reconcile failed: %s", e.getMessage());
        }
    }

    /** Notifies the jobs that finished within {@code window} (public for tests); returns how many were looked at. */
    public int reconcile(java.time.Duration window) {
        List<Job> finished = queue.finishedWithin(window, KINDS);
        finished.forEach(this::jobFinished);
        return finished.size();
    }

    /** Queues the notifications a finished job calls for. */
    void jobFinished(UUID jobId) {
        queue.find(jobId).ifPresent(this::jobFinished);
    }

    private void jobFinished(Job job) {
        if (!KINDS.contains(job.kind)) {
            return;
        }
        List<String> what = new ArrayList<>();
        if ("failed".equals(job.state)) {
            what.add("job.failed");
        } else if ("succeeded".equals(job.state)) {
            what.add("job.succeeded");
            if ("drill".equals(job.kind) && job.result != null) {
                what.add(Boolean.TRUE.equals(job.result.get("passed")) ? "drill.passed" : "drill.failed");
            }
        }
        for (String event : what) {
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("event", event);
            args.put("jobId", job.id.toString());
            send(event, job.target, job.id.toString(), args);
        }
    }

    /** A backup that looks wrong (see the anomaly settings): {@code anomaly.detected}. */
    public void anomaly(String target, UUID jobId, UUID backupId, List<String> warnings) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("event", "anomaly.detected");
        args.put("jobId", jobId.toString());
        args.put("backupId", backupId.toString());
        args.put("warnings", warnings);
        send("anomaly.detected", target, backupId.toString(), args);
    }

    private void send(String event, String target, String about, Map<String, Object> args) {
        config.notifications().webhooks().forEach((name, hook) -> {
            if (hook.events().stream().map(String::trim).noneMatch(e -> e.equals(event) || e.equals("*"))) {
                return;
            }
            Map<String, Object> a = new LinkedHashMap<>(args);
            a.put("webhook", name);
            try {
                queue.enqueue(new NewJob(NotifyHandler.KIND, null, a, "notify:" + name + ":" + event + ":" + about));
            } catch (IdempotencyConflictException alreadyQueued) {
                // another replica queued it first
            }
        });
    }
}
