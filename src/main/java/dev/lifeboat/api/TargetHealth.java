package dev.lifeboat.api;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.job.JobState;
import dev.lifeboat.target.Target;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A target's health at a glance, for the dashboard's overview and for monitoring: the traffic light
 * and the facts behind it. The rule:
 * <ul>
 * <li>red: no available backup; the newest backup job failed (after the newest good backup); the
 * newest drill failed (did not pass, or its job failed);</li>
 * <li>amber: the newest good backup is older than the schedule allows (1.5 times the interval from the
 * previous scheduled backup to the next; 26 h without a Lifeboat schedule, as for a daily CronJob); no drill yet; a drill
 * schedule whose newest drill is older than 1.5 intervals; anomalies on the newest good backup;</li>
 * <li>green: none of these.</li>
 * </ul>
 */
@ApplicationScoped
public class TargetHealth {
    /** How old the newest good backup may be for a target without a Lifeboat backup schedule (a daily CronJob and 2 h). */
    static final Duration UNSCHEDULED_MAX_AGE = Duration.ofHours(26);
    private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    @Schema(name = "TargetHealth", description = "The target's traffic light and the facts behind it (see the README's Dashboard section)")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record View(
            @Schema(enumeration = {"green", "amber", "red"}, description = "red: no good backup, or the newest backup or drill failed; "
                    + "amber: backup overdue, no drill yet, drill overdue or anomalies; green: none of these") String status,
            @Schema(description = "Why it is not green, one sentence each; empty when green") List<String> reasons,
            @Schema(description = "The newest available backup, or null") GoodBackup lastGoodBackup,
            @Schema(description = "Age of the newest available backup in seconds, or null") Long backupAgeSeconds,
            @Schema(description = "The age above which the newest good backup is overdue: 1.5 times the backup schedule's interval "
                    + "(from the previous scheduled time to the next), or 26 h without a schedule") long backupMaxAgeSeconds,
            @Schema(description = "The newest backup job that ended (succeeded or failed), or null") LastJob lastBackupJob,
            @Schema(description = "The newest drill of any backup of the target, or null") LastDrill lastDrill,
            @Schema(description = "Cron expression of Lifeboat's backup schedule, or null", example = "0 0 3 * * ?") String backupSchedule,
            @Schema(description = "When the next scheduled backup fires, or null") Instant nextBackup,
            @Schema(description = "Cron expression of Lifeboat's drill schedule, or null") String drillSchedule,
            @Schema(description = "When the next scheduled drill fires, or null") Instant nextDrill,
            @Schema(description = "Anomalies of the newest good backup against the one before (rows lost, dump shrank)") List<String> anomalies,
            @Schema(description = "Pinned backups (never deleted by retention), newest first") List<Pinned> pinned) {
    }

    @Schema(name = "TargetHealthBackup")
    public record GoodBackup(UUID id, Instant createdAt, Instant finishedAt, long sizeBytes) {
    }

    @Schema(name = "TargetHealthJob")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LastJob(UUID id, @Schema(enumeration = {"succeeded", "failed"}) String status, Instant finishedAt,
                          @Schema(description = "Why it failed, or null") String error) {
    }

    @Schema(name = "TargetHealthDrill")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LastDrill(@Schema(description = "The drilled backup, or null when the drill job failed before a verdict") UUID backupId,
                            Instant at, boolean passed,
                            @Schema(description = "Restore time (RTO) in seconds, when the restore ran") Double restoreSeconds,
                            @Schema(description = "Why the drill job failed, when it failed without a verdict") String error) {
    }

    @Schema(name = "TargetHealthPinned")
    public record Pinned(UUID id, Instant createdAt, String reason) {
    }

    @Inject
    BackupCatalog catalog;
    @Inject
    JobQueue queue;
    @Inject
    LifeboatConfig config;
    @Inject
    Clock clock;

    public View of(Target t) {
        Instant now = clock.instant();
        ZoneId zone = config.schedule().timeZone().map(ZoneId::of).orElse(ZoneId.systemDefault());
        List<Backup> backups = catalog.ofTarget(t.name());
        Backup good = backups.stream().filter(b -> Backup.AVAILABLE.equals(b.status)).findFirst().orElse(null);
        List<String> red = new ArrayList<>();
        List<String> amber = new ArrayList<>();

        LastJob lastBackupJob = lastEnded(t.name(), JobKind.BACKUP);
        if (good == null) {
            red.add("No good backup: the target has no available backup.");
        }
        if (lastBackupJob != null && JobState.FAILED.db().equals(lastBackupJob.status())
                && (good == null || good.finishedAt == null || lastBackupJob.finishedAt().isAfter(good.finishedAt))) {
            red.add("The last backup failed: " + lastBackupJob.error());
        }

        Schedule backupSchedule = Schedule.of(t.schedule().backup(), now, zone);
        Duration maxAge = backupSchedule.interval() == null ? UNSCHEDULED_MAX_AGE
                : Duration.ofSeconds(backupSchedule.interval().toSeconds() * 3 / 2);
        Long ageSeconds = good == null ? null : Duration.between(good.createdAt, now).toSeconds();
        if (ageSeconds != null && ageSeconds > maxAge.toSeconds()) {
            amber.add("The newest good backup is overdue: " + human(Duration.ofSeconds(ageSeconds)) + " old, the schedule allows "
                    + human(maxAge) + ".");
        }

        LastDrill lastDrill = lastDrill(t.name(), backups);
        Schedule drillSchedule = Schedule.of(t.schedule().drill(), now, zone);
        if (lastDrill == null) {
            amber.add("No drill yet: no backup of this target has been restored to prove it.");
        } else if (!lastDrill.passed()) {
            red.add(lastDrill.error() != null ? "The last drill failed: " + lastDrill.error() : "The last drill did not pass.");
        } else if (drillSchedule.interval() != null
                && Duration.between(lastDrill.at(), now).compareTo(drillSchedule.interval().multipliedBy(3).dividedBy(2)) > 0) {
            amber.add("The last drill is overdue: " + human(Duration.between(lastDrill.at(), now)) + " ago.");
        }

        List<String> anomalies = good == null || good.warnings == null ? List.of() : List.copyOf(good.warnings);
        if (!anomalies.isEmpty()) {
            amber.add("The newest good backup shows anomalies against the one before.");
        }
        List<Pinned> pinned = backups.stream().filter(b -> b.pinned).map(b -> new Pinned(b.id, b.createdAt, b.pinnedReason)).toList();

        String status = !red.isEmpty() ? "red" : !amber.isEmpty() ? "amber" : "green";
        List<String> reasons = new ArrayList<>(red);
        reasons.addAll(amber);
        return new View(status, List.copyOf(reasons),
                good == null ? null : new GoodBackup(good.id, good.createdAt, good.finishedAt, good.sizeBytes),
                ageSeconds, maxAge.toSeconds(), lastBackupJob, lastDrill,
                t.schedule().backup(), backupSchedule.next(), t.schedule().drill(), drillSchedule.next(), anomalies, pinned);
    }

    /** The newest ended job of a kind: the newest succeeded or failed one, whichever finished last. */
    private LastJob lastEnded(String target, JobKind kind) {
        Job last = pickLater(newest(target, kind, JobState.SUCCEEDED).orElse(null), newest(target, kind, JobState.FAILED).orElse(null));
        return last == null ? null : new LastJob(last.id, last.state, last.finishedAt, last.error);
    }

    private Optional<Job> newest(String target, JobKind kind, JobState state) {
        return queue.list(target, kind.id(), state, null, null, 1).stream().findFirst();
    }

    private static Job pickLater(Job a, Job b) {
        if (a == null || a.finishedAt == null) {
            return b;
        }
        if (b == null || b.finishedAt == null) {
            return a;
        }
        return b.finishedAt.isAfter(a.finishedAt) ? b : a;
    }

    /** The newest drill verdict in the catalog, unless a drill job failed (no verdict) after it. */
    private LastDrill lastDrill(String target, List<Backup> backups) {
        LastDrill verdict = backups.stream().filter(b -> b.lastDrillAt != null).max(Comparator.comparing((Backup b) -> b.lastDrillAt))
                .map(b -> new LastDrill(b.id, b.lastDrillAt, Boolean.TRUE.equals(b.lastDrillPassed), b.lastDrillRestoreSeconds, null))
                .orElse(null);
        Optional<Job> failed = newest(target, JobKind.DRILL, JobState.FAILED);
        if (failed.isPresent() && failed.get().finishedAt != null && (verdict == null || failed.get().finishedAt.isAfter(verdict.at()))) {
            return new LastDrill(null, failed.get().finishedAt, false, null, failed.get().error);
        }
        return verdict;
    }

    /**
     * A cron schedule's next fire time and its interval now: from the previous scheduled time to the
     * next (so a weekday schedule allows the weekend's gap on a Sunday); nulls without a schedule, and
     * no interval for a schedule that never fired before now or never fires again.
     */
    record Schedule(Instant next, Duration interval) {
        static Schedule of(String cron, Instant now, ZoneId zone) {
            if (cron == null || cron.isBlank()) {
                return new Schedule(null, null);
            }
            ExecutionTime times = ExecutionTime.forCron(QUARTZ.parse(cron));
            Optional<ZonedDateTime> next = times.nextExecution(now.atZone(zone));
            Optional<ZonedDateTime> previous = times.lastExecution(now.atZone(zone));
            Duration interval = next.isPresent() && previous.isPresent() ? Duration.between(previous.get(), next.get()) : null;
            return new Schedule(next.map(ZonedDateTime::toInstant).orElse(null), interval);
        }
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return s / 60 + " min";
        }
        if (s < 172_800) {
            return s / 3600 + " h";
        }
        return s / 86_400 + " d";
    }
}
