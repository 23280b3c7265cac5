package dev.lifeboat.job;

import dev.lifeboat.config.LifeboatConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** This replica's {@link JobWorker}, built from every {@link JobHandler} bean and {@code lifeboat.queue.*}. */
@ApplicationScoped
public class WorkerPool {
    private static final Logger LOG = Logger.getLogger(WorkerPool.class);

    @Inject
    LifeboatConfig config;
    @Inject
    JobQueue queue;
    @Inject
    JobEvents events;
    @Inject
    Instance<JobHandler<?, ?>> handlerBeans;
    @Inject
    MeterRegistry metrics;

    private JobWorker worker;
    private JobWorker notifyWorker;

    void start(@Observes @Priority(3000) StartupEvent ev) {
        if (!config.queue().enabled()) {
            LOG.info("lifeboat.queue.enabled=false: this replica serves the API but runs no jobs");
            return;
        }
        Map<String, JobHandler<?, ?>> all = handlers();
        Map<String, JobHandler<?, ?>> main = new HashMap<>(all);
        JobHandler<?, ?> notify = main.remove(JobKind.NOTIFY.id());
        String id = defaultWorkerId();
        worker = newWorker(id, config.queue().workers(), main);
        worker.start();
        if (notify != null) {
            // Webhook deliveries on slots of their own: a slow receiver never delays a backup.
            notifyWorker = newWorker(id + "/notify", Math.max(1, config.notifications().workers()), Map.of(JobKind.NOTIFY.id(), notify));
            notifyWorker.start();
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        if (worker != null) {
            worker.stop(Duration.ofSeconds(10));
        }
        if (notifyWorker != null) {
            notifyWorker.stop(Duration.ofSeconds(5));
        }
    }

    /** A new, unstarted pool over the same table and handlers (tests use it as a second replica). */
    public JobWorker newWorker(String workerId, int concurrency) {
        return newWorker(workerId, concurrency, handlers());
    }

    public JobWorker newWorker(String workerId, int concurrency, Map<String, JobHandler<?, ?>> handlers) {
        return new JobWorker(workerId, queue, events, handlers, settings(concurrency), metrics);
    }

    /** A pool's tuning from {@code lifeboat.queue.*}: heartbeats at a third of the lease, between 50 ms and 1 s. */
    public JobWorker.Settings settings(int concurrency) {
        LifeboatConfig.Queue q = config.queue();
        Duration heartbeat = Duration.ofMillis(Math.max(50, Math.min(1000, q.lease().toMillis() / 3)));
        return new JobWorker.Settings(concurrency, q.lease(), q.pollInterval(), q.retryBackoff(), q.retryBackoffMax(), heartbeat);
    }

    public Map<String, JobHandler<?, ?>> handlers() {
        Map<String, JobHandler<?, ?>> byKind = new HashMap<>();
        for (JobHandler<?, ?> h : handlerBeans) {
            JobHandler<?, ?> previous = byKind.put(h.kind(), h);
            if (previous != null) {
                throw new IllegalStateException("two handlers for job kind " + h.kind() + ": "
                        + previous.getClass().getName() + " and " + h.getClass().getName());
            }
        }
        return byKind;
    }

    /** The running pool of this replica, or null when workers are disabled. */
    public JobWorker worker() {
        return worker;
    }

    static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown";
        }
        String pid = ManagementFactory.getRuntimeMXBean().getName().split("@")[0];
        return host + "/" + pid + "/" + UUID.randomUUID().toString().substring(0, 8);
    }
}
