package dev.lifeboat.drill;

import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.restore.ArchiveRestore;
import dev.lifeboat.restore.Databases;
import dev.lifeboat.restore.RestoreHandler;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The maintenance pass for what crashed drills and restores leave behind: every
 * {@code lifeboat.drill.sweep-interval}, on each target's server (once per server and role), the
 * scratch databases {@code lifeboat_drill_*} and {@code lifeboat_restore_*} of this installation's
 * jobs that are no longer running are dropped, and so are their local spool directories. Safe with
 * any number of replicas: a running job's scratch database is never touched.
 */
@ApplicationScoped
public class ScratchSweeper {
    private static final Logger LOG = Logger.getLogger(ScratchSweeper.class);

    @Inject
    Targets targets;
    @Inject
    LifeboatConfig config;
    @Inject
    AgroalDataSource lifeboatDb;

    @Scheduled(every = "${lifeboat.drill.sweep-interval}", delayed = "2m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            int dropped = runOnce();
            if (dropped > 0) {
                LOG.infof("dropped %d scratch database(s) left by crashed drills and restores", dropped);
            }
        } catch (RuntimeException e) {
            LOG.warnf("scratch sweep failed: %s", e.getMessage());
        }
    }

    /** One pass; returns the number of scratch databases dropped. */
    public int runOnce() {
        int dropped = 0;
        Set<String> seen = new HashSet<>();
        for (Target t : targets.all()) {
            if (!seen.add(t.host() + ":" + t.port() + ":" + t.username())) {
                continue;
            }
            PgConnectInfo maintenance;
            try {
                maintenance = RestoreHandler.maintenance(PgConnectInfo.of(t, config.pg().connectTimeout()));
            } catch (RuntimeException e) {
                LOG.debugf("scratch sweep: cannot reach the server of target %s: %s", t.name(), e.getMessage());
                continue;
            }
            dropped += Databases.dropLeftovers(maintenance, lifeboatDb, DrillHandler.SCRATCH_PREFIX, DrillHandler.KIND);
            dropped += Databases.dropLeftovers(maintenance, lifeboatDb, RestoreHandler.SCRATCH_PREFIX, RestoreHandler.KIND);
        }
        ArchiveRestore.sweepSpools(config.backup().scratchBase(), lifeboatDb);
        return dropped;
    }
}
