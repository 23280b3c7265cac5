package dev.lifeboat.drill;

import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobFollowUp;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps each drill's verdict, as a follow-up of the finished drill job (once per drill, see
 * {@link JobFollowUp}): on the backup's catalog entry (last drill time, passed, restore time, count)
 * and in per-target gauges for alerting: {@code lifeboat_drill_last_success_timestamp_seconds},
 * {@code lifeboat_drill_restore_seconds} and {@code lifeboat_drill_passed} (1 or 0, the newest drill).
 * The gauges are filled from the catalog at start-up, so a restart does not reset them.
 */
@ApplicationScoped
public class DrillRecorder implements JobFollowUp {
    private static final Logger LOG = Logger.getLogger(DrillRecorder.class);

    private record Last(double lastSuccessEpochSeconds, double restoreSeconds, double passed) {
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

    void start(@Observes StartupEvent ev) {
        try {
            for (Backup b : catalog.lastDrilled()) { // oldest first: the newest wins
                update(b.target, b.lastDrillPassed, b.lastDrillRestoreSeconds, b.lastDrillAt);
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not read the drill history for metrics: %s", e.getMessage());
        }
        for (Target t : targets.all()) {
            String name = t.name();
            Gauge.builder("lifeboat_drill_last_success_timestamp_seconds", byTarget,
                            m -> m.getOrDefault(name, new Last(Double.NaN, Double.NaN, Double.NaN)).lastSuccessEpochSeconds())
                    .description("When the newest passed restore drill of the target ended (Unix time)")
                    .tag("target", name).register(metrics);
            Gauge.builder("lifeboat_drill_restore_seconds", byTarget,
                            m -> m.getOrDefault(name, new Last(Double.NaN, Double.NaN, Double.NaN)).restoreSeconds())
                    .description("Restore time (RTO) of the newest drill of the target")
                    .tag("target", name).register(metrics);
            Gauge.builder("lifeboat_drill_passed", byTarget,
                            m -> m.getOrDefault(name, new Last(Double.NaN, Double.NaN, Double.NaN)).passed())
                    .description("1 if the newest drill of the target passed, 0 if it failed")
                    .tag("target", name).register(metrics);
        }
    }

    @Override
    public String name() {
        return "drill-record";
    }

    @Override
    public Set<String> kinds() {
        return Set.of(JobKind.DRILL.id());
    }

    /** A drill that reached a verdict (its job succeeded): the verdict goes on the backup, at the time the drill ended. */
    @Override
    public void run(Job job) {
        queue.result(job, DrillResult.class).ifPresent(r -> catalog.recordDrill(r.backupId(), r.passed(), r.restoreSeconds(), job.finishedAt)
                .ifPresent(b -> update(b.target, r.passed(), r.restoreSeconds(), job.finishedAt)));
    }

    private void update(String target, Boolean passed, Double restoreSeconds, Instant at) {
        byTarget.compute(target, (t, old) -> new Last(
                Boolean.TRUE.equals(passed) ? at.getEpochSecond() : (old == null ? Double.NaN : old.lastSuccessEpochSeconds()),
                restoreSeconds == null ? Double.NaN : restoreSeconds,
                Boolean.TRUE.equals(passed) ? 1 : 0));
    }
}
