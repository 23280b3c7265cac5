package dev.lifeboat.api;

import dev.lifeboat.auth.Tokens;
import dev.lifeboat.config.LifeboatConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The audit log: every mutating API call (POST, DELETE) is recorded after it was answered, allowed
 * or refused, with the token's name and role, the action (the API operation), what it was about
 * (target, job, backup) and the HTTP status. {@code GET /api/v1/audit} (admin) serves it; entries go
 * after {@code lifeboat.audit.retention}. Recording never fails a request: a write that fails is logged.
 */
@ApplicationScoped
public class AuditLog {
    private static final Logger LOG = Logger.getLogger(AuditLog.class);
    private static final Pattern UUID_IN_PATH = Pattern.compile("/api/v1/(jobs|backups)/([0-9a-fA-F-]{36})(/|$)");
    private static final Pattern TARGET_IN_PATH = Pattern.compile("/api/v1/targets/([^/]+)/");

    @Inject
    AgroalDataSource db;
    @Inject
    Clock clock;
    @Inject
    LifeboatConfig config;

    /** One entry as the API shows it. */
    @Schema(name = "AuditEntry")
    public record Entry(long id, OffsetDateTime at, String token, String role, String action, String method, String path,
                        String target, UUID jobId, UUID backupId, int status) {
    }

    @ServerResponseFilter
    public void record(ContainerRequestContext request, ContainerResponseContext response, SimpleResourceInfo resource) {
        String method = request.getMethod();
        String path = request.getUriInfo().getPath();
        if (!("POST".equals(method) || "DELETE".equals(method)) || !path.startsWith("/api/v1/")) {
            return;
        }
        Tokens.Caller caller = (Tokens.Caller) request.getProperty(AuthFilter.CALLER);
        String action = resource == null || resource.getMethodName() == null ? method + " " + path : resource.getMethodName();
        UUID jobId = null;
        UUID backupId = null;
        String target = null;
        Matcher m = UUID_IN_PATH.matcher(path);
        if (m.find()) {
            try {
                UUID id = UUID.fromString(m.group(2));
                if (m.group(1).equals("jobs")) {
                    jobId = id;
                } else {
                    backupId = id;
                }
            } catch (IllegalArgumentException ignored) {
                // not an id: the request got its 400
            }
        }
        Matcher t = TARGET_IN_PATH.matcher(path);
        if (t.find()) {
            target = t.group(1);
        }
        if (response.getEntity() instanceof JobView job) {
            jobId = job.id();
            target = job.target();
            Object b = job.args() == null ? null : job.args().get("backupId");
            if (b != null && backupId == null) {
                try {
                    backupId = UUID.fromString(String.valueOf(b));
                } catch (IllegalArgumentException ignored) {
                    // not a backup id
                }
            }
        } else if (response.getEntity() instanceof BackupView backup) {
            backupId = backup.id();
            target = backup.target();
        }
        write(caller, action, method, path, target, jobId, backupId, response.getStatus());
    }

    private void write(Tokens.Caller caller, String action, String method, String path, String target, UUID jobId, UUID backupId,
                       int status) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO audit (at, token, role, action, method, path, target, job_id, backup_id, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setObject(1, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
            ps.setString(2, caller == null ? null : caller.tokenName());
            ps.setString(3, caller == null ? null : caller.role().id());
            ps.setString(4, action);
            ps.setString(5, method);
            ps.setString(6, path.length() > 500 ? path.substring(0, 500) : path);
            ps.setString(7, target == null || target.length() > 63 ? null : target);
            ps.setObject(8, jobId);
            ps.setObject(9, backupId);
            ps.setInt(10, status);
            ps.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            LOG.errorf("could not write the audit entry of %s %s by %s (status %d): %s", method, path,
                    caller == null ? "an unauthenticated caller" : caller.tokenName(), status, e.getMessage());
        }
    }

    /** Entries newest first, after {@code beforeId} (the last id of the previous page) when given. */
    public List<Entry> page(Long beforeId, int limit) throws SQLException {
        List<Entry> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT id, at, token, role, action, method, path, target, job_id, backup_id, status FROM audit
                WHERE (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?""")) {
            ps.setObject(1, beforeId, Types.BIGINT);
            ps.setObject(2, beforeId, Types.BIGINT);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getObject(2, OffsetDateTime.class), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getObject(9, UUID.class),
                            rs.getObject(10, UUID.class), rs.getInt(11)));
                }
            }
        }
        return out;
    }

    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void clean() {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("DELETE FROM audit WHERE at < ?")) {
            ps.setObject(1, OffsetDateTime.ofInstant(clock.instant().minus(config.audit().retention()), ZoneOffset.UTC));
            int n = ps.executeUpdate();
            if (n > 0) {
                LOG.infof("deleted %d audit entries older than %s", n, config.audit().retention());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("audit clean-up failed: %s", e.getMessage());
        }
    }
}
