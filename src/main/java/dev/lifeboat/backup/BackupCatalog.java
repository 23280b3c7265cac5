package dev.lifeboat.backup;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Reads and writes the {@code backup} catalog, each call in its own transaction. */
@ApplicationScoped
public class BackupCatalog {

    /** Inserts a complete backup (every copy stored, checked, and its manifest written). */
    public void add(Backup backup) {
        QuarkusTransaction.requiringNew().run(() -> backup.persist());
    }

    /**
     * Inserts a complete backup that shows an anomaly and, in the same transaction, pins the backup
     * before it with {@code reason}: from the moment the new backup exists, retention can no longer
     * delete the last copy from before the database lost its data.
     */
    public void addProtecting(Backup backup, UUID previous, String reason) {
        QuarkusTransaction.requiringNew().run(() -> {
            backup.persist();
            Backup before = Backup.findById(previous);
            if (before != null && !before.pinned) {
                before.pinned = true;
                before.pinnedReason = reason;
            }
        });
    }

    /**
     * Inserts a backup recovered from its manifest unless a row with its id exists (another rebuild
     * may run at the same time).
     *
     * @return whether this call inserted it
     */
    public boolean addIfAbsent(Backup backup) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                if (Backup.findById(backup.id) != null) {
                    return false;
                }
                backup.persist();
                return true;
            });
        } catch (RuntimeException e) {
            if (find(backup.id).isPresent()) {
                return false;
            }
            throw e;
        }
    }

    /**
     * A page of backups, newest first. Null filters are not applied; {@code beforeCreatedAt} and
     * {@code beforeId} (both or neither) continue after the last backup of the previous page.
     */
    public List<Backup> page(String target, String status, Instant beforeCreatedAt, UUID beforeId, int limit) {
        StringBuilder q = new StringBuilder("1 = 1");
        Parameters p = new Parameters();
        if (target != null) {
            q.append(" and target = :target");
            p.and("target", target);
        }
        if (status != null) {
            q.append(" and status = :status");
            p.and("status", status);
        }
        if (beforeCreatedAt != null) {
            q.append(" and (createdAt < :cAt or (createdAt = :cAt and id < :cId))");
            p.and("cAt", beforeCreatedAt).and("cId", beforeId);
        }
        return QuarkusTransaction.requiringNew().call(() ->
                Backup.<Backup>find(q.toString(), Sort.descending("createdAt", "id"), p).page(0, limit).list());
    }

    /** Every backup of the target, any status, newest first. */
    public List<Backup> ofTarget(String target) {
        return QuarkusTransaction.requiringNew().call(() -> Backup.<Backup>find(
                "target = ?1 order by createdAt desc, id desc", target).list());
    }

    /** Sets the pin with its reason, or clears both; empty when there is no such backup. */
    public Optional<Backup> pin(UUID id, boolean pinned, String reason) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Backup b = Backup.findById(id);
            if (b == null) {
                return Optional.empty();
            }
            b.pinned = pinned;
            b.pinnedReason = pinned ? reason : null;
            return Optional.of(b);
        });
    }

    public Optional<Backup> find(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> Optional.ofNullable(Backup.<Backup>findById(id)));
    }

    /** Records the outcome of a verify: the copies as found, and the status that follows from them. */
    public Optional<Backup> recordVerify(UUID id, List<BackupLocation> locations, Instant at) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Backup b = Backup.findById(id);
            if (b == null) {
                return Optional.empty();
            }
            List<String> problems = locations.stream().filter(l -> l.problem() != null)
                    .map(l -> l.storage() + ": " + l.problem()).toList();
            b.locations = locations;
            b.verifiedAt = at;
            b.status = problems.isEmpty() ? Backup.AVAILABLE : Backup.DAMAGED;
            b.error = problems.isEmpty() ? null : String.join("; ", problems);
            return Optional.of(b);
        });
    }

    /**
     * Records a drill's verdict on the backup; returns the updated row, or empty if it was deleted
     * meanwhile. Joins the caller's transaction (a follow-up's), so it commits with it or not at all.
     */
    public Optional<Backup> recordDrill(UUID id, boolean passed, Double restoreSeconds, Instant at) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            Backup b = Backup.findById(id);
            if (b == null) {
                return Optional.empty();
            }
            b.lastDrillAt = at;
            b.lastDrillPassed = passed;
            b.lastDrillRestoreSeconds = restoreSeconds;
            b.drillCount++;
            return Optional.of(b);
        });
    }

    /** Per target, the newest passed drill's time and the newest drill's outcome and restore time (for metrics after a restart). */
    public List<Backup> lastDrilled() {
        return QuarkusTransaction.requiringNew().call(() -> Backup.<Backup>find(
                "lastDrillAt is not null order by lastDrillAt").list());
    }

    /** The target's newest available backup. */
    public Optional<Backup> newest(String target) {
        return QuarkusTransaction.requiringNew().call(() -> Backup.<Backup>find(
                "target = ?1 and status = ?2 order by createdAt desc, id desc", target, Backup.AVAILABLE).firstResultOptional());
    }

    /** Removes the row; returns false if there was none. */
    public boolean remove(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> Backup.deleteById(id));
    }
}
