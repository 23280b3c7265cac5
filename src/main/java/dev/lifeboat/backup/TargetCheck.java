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

import java.util.ArrayList;
import java.util.List;

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
