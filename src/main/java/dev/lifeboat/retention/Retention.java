package dev.lifeboat.retention;

import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.config.LifeboatConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** A target's retention plan as of now: what the preview shows and what a prune carries out. */
@ApplicationScoped
public class Retention {
    @Inject
    LifeboatConfig config;
    @Inject
    BackupCatalog catalog;
    @Inject
    AgroalDataSource lifeboatDb;
    @Inject
    Clock clock;

    public RetentionRules rules(String target) {
        LifeboatConfig.Target t = config.targets().get(target);
        return t == null ? RetentionRules.NONE : RetentionRules.of(t.retention());
    }

    public List<RetentionPolicy.Decision> plan(String target) {
        return RetentionPolicy.decide(catalog.ofTarget(target), rules(target), clock.instant(), backupsInUse());
    }

    /** Backups a queued or running restore, drill or verify will read. */
    public Set<UUID> backupsInUse() {
        Set<UUID> ids = new HashSet<>();
        try (Connection c = lifeboatDb.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT DISTINCT args->>'backupId' FROM job WHERE state IN ('queued', 'running')"
                     + " AND kind IN ('restore', 'drill', 'verify') AND args ? 'backupId'")) {
            while (rs.next()) {
                try {
                    ids.add(UUID.fromString(rs.getString(1)));
                } catch (IllegalArgumentException ignored) {
                    // not a backup id: nothing to protect
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell which backups are in use: " + e.getMessage(), e);
        }
        return ids;
    }
}
