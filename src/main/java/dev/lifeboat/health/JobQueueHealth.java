package dev.lifeboat.health;

import dev.lifeboat.job.JobEvents;
import dev.lifeboat.job.WorkerPool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the job queue on this replica: the notification listener is connected and (when
 * workers are enabled) the pool runs. Lifeboat's database itself is checked by the datasource check.
 */
@Readiness
@ApplicationScoped
public class JobQueueHealth implements HealthCheck {
    @Inject
    JobEvents events;
    @Inject
    WorkerPool pool;

    @Override
    public HealthCheckResponse call() {
        boolean listening = events.connected();
        var worker = pool.worker();
        return HealthCheckResponse.named("job-queue")
                .status(listening)
                .withData("notifications", listening ? "listening" : "disconnected")
                .withData("workers", worker == null ? "disabled" : worker.workerId())
                .withData("running", worker == null ? 0 : worker.inFlight())
                .build();
    }
}
