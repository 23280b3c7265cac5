package dev.lifeboat.backup;

import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobFollowUp;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-target gauges of the newest successful backup, for alerting:
 * {@code lifeboat_backup_last_success_timestamp_seconds}, {@code lifeboat_backup_size_bytes} and
 * {@code lifeboat_backup_duration_seconds}, plus the counter {@code lifeboat_backup_anomalies_total}.
 * Filled from the catalog at start-up (the newest available backup of each target), so a restart or
 * another replica's backup does not leave them empty, then kept by this follow-up of each finished
 * backup job (on the replica that runs the follow-up; each backup is counted once).
 */
@ApplicationScoped
public class BackupMetrics implements JobFollowUp {
    private static final Logger LOG = Logger.getLogger(BackupMetrics.class);

    private record Last(double finishedEpochSeconds, double sizeBytes, double durationSeconds) {
        static final Last NONE = new Last(Double.NaN, Double.NaN, Double.NaN);
    }

    @Inject
    BackupCatalog catalog;
    @Inject
    Targets targets;
    @Inject
    MeterRegistry metrics;
    @Inject
    JobQueue queue;

    private final Map<String, Last> byTarget = new ConcurrentHashMap<>();
    private final Map<String, Counter> anomalies = new ConcurrentHashMap<>();

    void start(@Observes StartupEvent ev) {
        for (Target t : targets.all()) {
            String name = t.name();
            try {
                catalog.newest(name).ifPresent(b -> recordSuccess(name, b.finishedAt, b.sizeBytes,
                        Duration.between(b.createdAt, b.finishedAt).toMillis() / 1000.0));
            } catch (RuntimeException e) {
                LOG.warnf("could not read the newest backup of %s for metrics: %s", name, e.getMessage());
            }
            Gauge.builder("lifeboat_backup_last_success_timestamp_seconds", byTarget, m -> m.getOrDefault(name, Last.NONE).finishedEpochSeconds())
                    .description("When the newest successful backup of the target finished (Unix time)").tag("target", name).register(metrics);
            Gauge.builder("lifeboat_backup_size_bytes", byTarget, m -> m.getOrDefault(name, Last.NONE).sizeBytes())
                    .description("Stored size of the newest successful backup of the target").tag("target", name).register(metrics);
            Gauge.builder("lifeboat_backup_duration_seconds", byTarget, m -> m.getOrDefault(name, Last.NONE).durationSeconds())
                    .description("How long the newest successful backup of the target took").tag("target", name).register(metrics);
            anomalies.put(name, Counter.builder("lifeboat_backup_anomalies_total")
                    .description("Backups of the target flagged with anomaly warnings (rows or size dropped)").tag("target", name).register(metrics));
        }
    }

    @Override
    public String name() {
        return "backup-metrics";
    }

    @Override
    public Set<String> kinds() {
        return Set.of(JobKind.BACKUP.id());
    }

    /** A succeeded backup: its time, size and duration (the job's attempt), and its anomalies. */
    @Override
    public void run(Job job) {
        queue.result(job, BackupResult.class).ifPresent(r -> {
            recordSuccess(job.target, job.finishedAt, r.sizeBytes(), Duration.between(job.startedAt, job.finishedAt).toMillis() / 1000.0);
            if (!r.warnings().isEmpty()) {
                recordAnomaly(job.target);
            }
        });
    }

    void recordSuccess(String target, Instant finishedAt, long sizeBytes, double durationSeconds) {
        byTarget.put(target, new Last(finishedAt.getEpochSecond(), sizeBytes, durationSeconds));
    }

    void recordAnomaly(String target) {
        Counter c = anomalies.get(target);
        if (c != null) {
            c.increment();
        }
    }
}
