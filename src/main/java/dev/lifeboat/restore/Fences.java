package dev.lifeboat.restore;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The record of every database Lifeboat fences ({@code fence} table): written before the fence goes
 * up, so a fence whose restore died is always known, and marked lifted when connections are allowed
 * again. The maintenance pass ({@link ScratchSweeper}) lifts what nobody lifted.
 */
@ApplicationScoped
public class Fences {
    @Inject
    AgroalDataSource db;
    @Inject
    Clock clock;

    /** A fence not lifted yet. */
    public record Fence(UUID jobId, String target, String database, String keptAs, OffsetDateTime fencedAt) {
    }

    /** Records that the restore job is about to fence {@code database} (which becomes {@code keptAs} if it swaps). */
    void fencing(UUID jobId, String target, String database, String keptAs) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO fence (job_id, target, database, kept_as, fenced_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (job_id, database) DO UPDATE SET fenced_at = excluded.fenced_at, lifted_at = NULL, lifted_by = NULL""")) {
            ps.setObject(1, jobId);
            ps.setString(2, target);
            ps.setString(3, database);
            ps.setString(4, keptAs);
            ps.setObject(5, now());
            ps.executeUpdate();
        }
    }

    /** Records that connections are allowed again ({@code by}: who lifted it). */
    void lifted(UUID jobId, String database, String by) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE fence SET lifted_at = ?, lifted_by = ? WHERE job_id = ? AND database = ? AND lifted_at IS NULL")) {
            ps.setObject(1, now());
            ps.setString(2, by);
            ps.setObject(3, jobId);
            ps.setString(4, database);
            ps.executeUpdate();
        }
    }

    /** Fences not lifted yet, oldest first. */
    public List<Fence> open() throws SQLException {
        List<Fence> out = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT job_id, target, database, kept_as, fenced_at FROM fence WHERE lifted_at IS NULL ORDER BY fenced_at");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Fence(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getObject(5, OffsetDateTime.class)));
            }
        }
        return out;
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
