package dev.lifeboat.restore;

import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.job.JobState;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.target.Server;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Cleans up after scratch restores whose worker died: the scratch databases ({@code lifeboat_drill_*},
 * {@code lifeboat_restore_*}) and local spools of this installation's jobs that are no longer running.
 * {@link ScratchRestore} sweeps a server before each restore or drill; this maintenance pass sweeps
 * every target's server every {@code lifeboat.drill.sweep-interval} (once per server and role). Safe
 * with any number of replicas: a running job's scratch database is never touched, and neither is one
 * whose job this installation does not know (another Lifeboat sharing the server).
 */
@ApplicationScoped
public class ScratchSweeper {
    private static final Logger LOG = Logger.getLogger(ScratchSweeper.class);

    @Inject
    Targets targets;
    @Inject
    LifeboatConfig config;
    @Inject
    JobQueue queue;
    @Inject
    Fences fences;

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
        try {
            liftAbandonedFences();
        } catch (RuntimeException | SQLException e) {
            LOG.warnf("fence check failed: %s", e.getMessage());
        }
    }

    /**
     * Re-allows connections on every database a replace restore fenced whose job is no longer running
     * (its replica died mid-swap, or its own un-fence failed), unless a live session still holds the
     * fence's server lock. Each one is logged as an error: the database refused connections until now.
     *
     * @return how many fences were lifted
     */
    public int liftAbandonedFences() throws SQLException {
        int lifted = 0;
        for (Fences.Fence f : fences.open()) {
            Optional<JobState> state = queue.find(f.jobId()).map(j -> j.jobState());
            Optional<Target> target = targets.find(f.target());
            if (state.orElse(null) == JobState.RUNNING || target.isEmpty()) {
                continue;
            }
            try {
                PgConnectInfo maintenance = PgConnectInfo.of(target.get(), config.pg().connectTimeout()).maintenance();
                try (ServerLock lock = ServerLock.tryTake(maintenance, ServerLock.fence(f.database()))) {
                    if (lock == null) {
                        continue; // an attempt that lost Lifeboat's database still holds it: its own un-fence comes
                    }
                    for (String name : List.of(f.database(), f.keptAs())) {
                        if (reopen(lock.connection(), name)) {
                            LOG.errorf("database %s of target %s refused connections since %s, fenced by restore job %s which is no"
                                    + " longer running: connections are allowed again", name, f.target(), f.fencedAt(), f.jobId());
                        }
                    }
                    fences.lifted(f.jobId(), f.database(), "maintenance pass");
                    lifted++;
                }
            } catch (SQLException | RuntimeException e) {
                LOG.warnf("cannot lift the fence of %s (target %s, job %s) yet: %s", f.database(), f.target(), f.jobId(), e.getMessage());
            }
        }
        return lifted;
    }

    /** Allows connections to {@code database} if it exists and refuses them; returns whether it did. */
    private static boolean reopen(Connection c, String database) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT NOT datallowconn FROM pg_catalog.pg_database WHERE datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return false;
                }
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + Databases.quoteIdent(database) + " WITH ALLOW_CONNECTIONS true");
        }
        return true;
    }

    /** One pass over every target's server; returns the number of scratch databases dropped. */
    public int runOnce() {
        int dropped = 0;
        Set<String> seen = new HashSet<>();
        for (Target t : targets.all()) {
            if (!seen.add(t.host() + ":" + t.port() + ":" + t.username())) {
                continue;
            }
            PgConnectInfo maintenance;
            try {
                maintenance = PgConnectInfo.of(t, config.pg().connectTimeout()).maintenance();
            } catch (RuntimeException e) {
                LOG.debugf("scratch sweep: cannot reach the server of target %s: %s", t.name(), e.getMessage());
                continue;
            }
            dropped += sweep(maintenance);
        }
        // Drills and restores on the other servers (lifeboat.servers.*) leave scratch databases there.
        for (Server server : targets.servers()) {
            PgConnectInfo maintenance;
            try {
                maintenance = PgConnectInfo.of(server, server.maintenanceDb(), config.pg().connectTimeout());
                maintenance.open().close();
            } catch (SQLException | RuntimeException e) {
                LOG.debugf("scratch sweep: cannot reach %s: %s", server.describe(), e.getMessage());
                continue;
            }
            dropped += sweep(maintenance);
        }
        sweepSpools();
        return dropped;
    }

    /** Drops the leftover scratch databases of drills and restores on one server; returns how many. */
    int sweep(PgConnectInfo maintenance) {
        return dropLeftovers(maintenance, JobKind.DRILL) + dropLeftovers(maintenance, JobKind.RESTORE);
    }

    /**
     * Drops the scratch databases of {@code kind} whose job is one of this installation's and is no
     * longer running (its worker crashed before it could drop them) on this server. One of a job running
     * right now, on any replica, is left alone (its name carries its job id), and so is one whose job
     * this installation does not know (another Lifeboat sharing the server, or a job cleaned up long ago).
     */
    private int dropLeftovers(PgConnectInfo conn, JobKind kind) {
        String prefix = ScratchRestore.prefix(kind);
        List<String> found = new ArrayList<>();
        try (Connection c = conn.open(); PreparedStatement ps = c.prepareStatement(
                "SELECT datname FROM pg_catalog.pg_database WHERE pg_catalog.starts_with(datname, ?)")) {
            ps.setString(1, prefix);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("cannot list leftover %s databases: %s", kind.id(), e.getMessage());
            return 0;
        }
        int dropped = 0;
        for (String name : found) {
            String suffix = name.substring(prefix.length());
            if (suffix.length() != 16) {
                continue; // not a name Lifeboat makes
            }
            Optional<JobState> state;
            try {
                state = queue.stateOfIdPrefix(kind.id(), suffix);
            } catch (RuntimeException e) {
                continue; // cannot tell: leave it
            }
            if (state.isEmpty() || state.get() == JobState.RUNNING) {
                continue;
            }
            // A live attempt that lost Lifeboat's database may still use it: it holds the scratch database's server lock.
            try (ServerLock lock = ServerLock.tryTake(conn, ServerLock.scratch(name))) {
                if (lock == null) {
                    LOG.warnf("%s belongs to a %s job that is not running here, but a live session holds it: left alone", name, kind.id());
                    continue;
                }
                LOG.warnf("dropping %s, left behind by a %s job that is no longer running", name, kind.id());
                if (Databases.dropQuietly(conn, name)) {
                    dropped++;
                }
            } catch (SQLException | RuntimeException e) {
                LOG.debugf("cannot lock %s to drop it: %s", name, e.getMessage());
            }
        }
        return dropped;
    }

    /**
     * Removes the spool directories ({@code lifeboat-restore-<job id>}) in the scratch directory of this
     * installation's restores and drills that are no longer running.
     */
    void sweepSpools() {
        Path base = config.backup().scratchBase();
        if (!Files.isDirectory(base)) {
            return;
        }
        try (Stream<Path> entries = Files.list(base)) {
            for (Path dir : entries.filter(p -> p.getFileName().toString().startsWith(ArchiveRestore.SPOOL_PREFIX)).toList()) {
                UUID id;
                try {
                    id = UUID.fromString(dir.getFileName().toString().substring(ArchiveRestore.SPOOL_PREFIX.length()));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (queue.find(id).map(j -> j.jobState() != JobState.RUNNING).orElse(false)) {
                    LOG.warnf("removing %s, the spool of job %s that is no longer running", dir, id);
                    ArchiveRestore.deleteTree(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debugf("could not sweep old spools in %s: %s", base, e.getMessage());
        }
    }
}
