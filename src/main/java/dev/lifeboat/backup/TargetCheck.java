package dev.lifeboat.backup;

import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.crypto.AgeEncryption;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.pg.PgTools;
import dev.lifeboat.pg.ServerInfo;
import dev.lifeboat.storage.BlobStore;
import dev.lifeboat.storage.BlobStores;
import dev.lifeboat.target.Target;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The backup pre-flight on demand ({@code GET /api/v1/targets/{name}/check}): the same steps a backup
 * takes before it dumps anything — password source, connection and server version, the pg_dump that
 * fits it, encryption keys, and every storage — each reported with what it found or what to fix.
 */
@ApplicationScoped
public class TargetCheck {

    /** One step: its name, whether it passed, and what it found or what is wrong (never a secret). */
    public record Check(String name, boolean ok, String detail) {
    }

    public record Report(String target, boolean ok, List<Check> checks) {
    }

    @Inject
    LifeboatConfig config;
    @Inject
    PgTools pgTools;
    @Inject
    BlobStores blobStores;
    @Inject
    BackupHandler backups;

    /** How long a report is served again instead of checking anew. */
    static final Duration REUSE = Duration.ofSeconds(5);

    private record Flight(long startedNanos, CompletableFuture<Report> report) {
    }

    private final Map<String, Flight> flights = new ConcurrentHashMap<>();

    /**
     * The pre-flight report of the target: single-flight (callers at the same time share one run) and
     * reused for {@link #REUSE}, so a burst of requests costs the target one connection and the
     * storages one probe each.
     */
    public Report report(Target target) throws InterruptedException {
        long now = System.nanoTime();
        CompletableFuture<Report> mine = new CompletableFuture<>();
        Flight flight = flights.compute(target.name(), (name, f) ->
                f != null && (!f.report().isDone() || now - f.startedNanos() < REUSE.toNanos()) ? f : new Flight(now, mine));
        if (flight.report() == mine) {
            try {
                mine.complete(run(target));
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
                flights.remove(target.name(), flight);
            }
        }
        try {
            return flight.report().get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    public Report run(Target target) {
        List<Check> checks = new ArrayList<>();
        PgConnectInfo conn = null;
        try {
            conn = PgConnectInfo.of(target, config.pg().connectTimeout());
            checks.add(new Check("credentials", true, target.passwordConfigured() ? "password configured" : "no password configured (trust, peer or .pgpass on the server side)"));
        } catch (RuntimeException e) {
            checks.add(new Check("credentials", false, e.getMessage()));
        }
        ServerInfo server = null;
        if (conn != null) {
            try {
                server = ServerInfo.probe(conn);
                checks.add(new Check("connection", true, "connected to " + conn.describe() + ": PostgreSQL " + server.version()
                        + ", database size " + server.databaseSize() + " bytes"));
            } catch (RuntimeException e) {
                checks.add(new Check("connection", false, conn.redact(e.getMessage())));
            }
        }
        if (server != null) {
            try {
                PgTools.Tool tool = pgTools.pgDump(server);
                checks.add(new Check("pg_dump", true, "pg_dump " + tool.version() + " at " + tool.path() + " for server " + server.major()));
            } catch (RuntimeException e) {
                checks.add(new Check("pg_dump", false, e.getMessage()));
            }
        }
        List<String> recipients = backups.recipients();
        if (recipients.isEmpty()) {
            checks.add(new Check("encryption", true, "off: lifeboat.encryption.recipients is not set, backups are stored unencrypted"));
        } else {
            try {
                AgeEncryption.validateRecipients(recipients);
                checks.add(new Check("encryption", true, "age, " + recipients.size() + " recipient(s)"));
            } catch (RuntimeException e) {
                checks.add(new Check("encryption", false, e.getMessage()));
            }
        }
        for (String name : target.storage()) {
            try {
                BlobStore store = blobStores.get(name);
                store.checkReachable();
                checks.add(new Check("storage:" + name, true, "reachable and writable: " + store));
            } catch (Exception e) {
                checks.add(new Check("storage:" + name, false, e.getMessage()));
            }
        }
        boolean ok = checks.stream().allMatch(Check::ok);
        return new Report(target.name(), ok, checks);
    }
}
