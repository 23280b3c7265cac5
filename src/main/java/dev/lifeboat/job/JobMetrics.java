package dev.lifeboat.job;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** {@code lifeboat_queue_jobs{state}}: jobs per state, refreshed every few seconds from the table. */
@ApplicationScoped
public class JobMetrics {
    @Inject
    MeterRegistry registry;
    @Inject
    JobQueue queue;

    private final Map<JobState, AtomicLong> counts = new EnumMap<>(JobState.class);

    void register(@Observes StartupEvent ev) {
        for (JobState s : JobState.values()) {
            AtomicLong v = new AtomicLong();
            counts.put(s, v);
            Gauge.builder("lifeboat.queue.jobs", v, AtomicLong::get)
                    .description("Jobs in the queue table by state")
                    .tag("state", s.db())
                    .register(registry);
        }
        refresh();
    }

    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        if (counts.isEmpty()) {
            return;
        }
        try {
            queue.countByState().forEach((s, n) -> counts.get(s).set(n));
        } catch (RuntimeException e) {
            // The database is unreachable: readiness reports it; keep the last values.
        }
    }
}
