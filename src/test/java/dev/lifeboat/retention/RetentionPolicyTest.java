package dev.lifeboat.retention;

import dev.lifeboat.backup.Backup;
import dev.lifeboat.target.RetentionRules;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Retention decisions over a simulated year: daily backups, a prune after each, the clock moving on. */
class RetentionPolicyTest {
    static final RetentionRules GFS = new RetentionRules(null, 7, 4, 12, 3, null);

    static Backup backupOn(LocalDate day) {
        Backup b = new Backup();
        b.id = UUID.nameUUIDFromBytes(day.toString().getBytes());
        b.target = "mastodon";
        b.status = Backup.AVAILABLE;
        b.createdAt = day.atTime(3, 0).toInstant(ZoneOffset.UTC);
        return b;
    }

    static Set<String> days(List<Backup> backups) {
        Set<String> d = new TreeSet<>();
        backups.forEach(b -> d.add(b.createdAt.atZone(ZoneOffset.UTC).toLocalDate().toString()));
        return d;
    }

    /** Runs a year of nightly backups, each followed by a prune at the backup's time; returns what remains. */
    static List<Backup> simulateYear(RetentionRules rules, boolean drillsFailInDecember) {
        List<Backup> catalog = new ArrayList<>();
        for (LocalDate day = LocalDate.of(2025, 1, 1); !day.isAfter(LocalDate.of(2025, 12, 31)); day = day.plusDays(1)) {
            Backup b = backupOn(day);
            if (day.getDayOfWeek().getValue() == 7) { // a weekly drill on Sundays
                b.lastDrillAt = b.createdAt.plusSeconds(3600);
                b.lastDrillPassed = !(drillsFailInDecember && day.getMonthValue() == 12);
            }
            catalog.add(b);
            Instant now = b.createdAt.plusSeconds(600); // the injected clock: just after this night's backup
            List<RetentionPolicy.Decision> plan = RetentionPolicy.decide(catalog, rules, now, Set.of());
            catalog.removeIf(x -> plan.stream().anyMatch(d -> d.backup() == x && !d.keep()));
            assertThat(catalog).as("the newest backup is never deleted (%s)", day).contains(b);
        }
        return catalog;
    }

    @Test
    void aYearOfNightlyBackupsKeepsExactlyTheGrandfatherFatherSonSet() {
        List<Backup> kept = simulateYear(GFS, false);
        assertThat(days(kept)).containsExactly(
                // keep-monthly 12: the newest of each month (December's is also daily, weekly and yearly)
                "2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31", "2025-06-30",
                "2025-07-31", "2025-08-31", "2025-09-30", "2025-10-31", "2025-11-30",
                // keep-weekly 4: ISO weeks 2025-W50, W51 (W52 and 2026-W01 end on daily ones)
                "2025-12-14", "2025-12-21",
                // keep-daily 7
                "2025-12-25", "2025-12-26", "2025-12-27", "2025-12-28", "2025-12-29", "2025-12-30", "2025-12-31");
    }

    @Test
    void theNewestBackupThatPassedADrillIsNeverDeleted() {
        List<Backup> kept = simulateYear(GFS, true); // every December drill failed
        // The last passing drill was on Sunday 2025-11-30: kept (it is also November's monthly one), and
        // with keep-monthly off it must still be kept, by the drill rule alone.
        assertThat(days(kept)).contains("2025-11-30");
        List<Backup> keptWithoutMonthly = simulateYear(new RetentionRules(null, 7, 2, null, null, null), true);
        assertThat(days(keptWithoutMonthly)).contains("2025-11-30")
                .doesNotContain("2025-11-23", "2025-10-31");
        Backup drilled = keptWithoutMonthly.stream().filter(b -> days(List.of(b)).contains("2025-11-30")).findFirst().orElseThrow();
        List<RetentionPolicy.Decision> plan = RetentionPolicy.decide(keptWithoutMonthly, new RetentionRules(null, 7, 2, null, null, null),
                Instant.parse("2026-01-01T00:00:00Z"), Set.of());
        assertThat(plan.stream().filter(d -> d.backup() == drilled).findFirst().orElseThrow().reasons())
                .containsExactly("newest backup that passed a drill");
    }

    @Test
    void pinnedInUseAndYoungBackupsAreKeptAndEveryDeletionSaysWhy() {
        List<Backup> backups = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            backups.add(backupOn(LocalDate.of(2025, 6, 1).plusDays(i)));
        }
        backups.get(2).pinned = true;
        Set<UUID> inUse = Set.of(backups.get(5).id);
        RetentionRules rules = new RetentionRules(3, null, null, null, null, Duration.ofDays(5));
        Instant now = LocalDate.of(2025, 6, 30).atTime(12, 0).toInstant(ZoneOffset.UTC);
        List<RetentionPolicy.Decision> plan = RetentionPolicy.decide(backups, rules, now, inUse);
        assertThat(plan).hasSize(30);
        assertThat(plan.get(0).backup().createdAt).as("newest first").isEqualTo(backups.get(29).createdAt);
        List<String> keptDays = plan.stream().filter(RetentionPolicy.Decision::keep).map(d -> days(List.of(d.backup())).iterator().next()).sorted().toList();
        // min-age 5d: June 26 03:00 onwards (5 days before June 30 12:00 is June 25 12:00); keep-last 3; pinned June 3; in use June 6
        assertThat(keptDays).containsExactly("2025-06-03", "2025-06-06", "2025-06-26", "2025-06-27", "2025-06-28", "2025-06-29", "2025-06-30");
        assertThat(plan.stream().filter(d -> !d.keep())).allSatisfy(d -> assertThat(d.reasons()).containsExactly("no rule keeps it"));
        assertThat(plan.stream().filter(d -> d.backup() == backups.get(2)).findFirst().orElseThrow().reasons()).containsExactly("pinned");
        assertThat(plan.stream().filter(d -> d.backup() == backups.get(29)).findFirst().orElseThrow().reasons())
                .contains("newest available backup", "keep-last 3", "younger than min-age PT120H");
    }

    @Test
    void withoutRulesNothingIsDeleted() {
        List<Backup> backups = List.of(backupOn(LocalDate.of(2020, 1, 1)), backupOn(LocalDate.of(2025, 1, 1)));
        assertThat(RetentionPolicy.decide(backups, RetentionRules.NONE, Instant.now(), Set.of()))
                .allSatisfy(d -> assertThat(d.keep()).isTrue());
    }

    @Test
    void aDamagedNewestBackupDoesNotShieldTheOlderWorkingOne() {
        Backup older = backupOn(LocalDate.of(2025, 1, 1));
        Backup newer = backupOn(LocalDate.of(2025, 1, 2));
        newer.status = Backup.DAMAGED;
        List<RetentionPolicy.Decision> plan = RetentionPolicy.decide(List.of(older, newer), new RetentionRules(1, null, null, null, null, null),
                Instant.parse("2025-02-01T00:00:00Z"), Set.of());
        assertThat(plan.stream().filter(d -> d.backup() == older).findFirst().orElseThrow().reasons()).containsExactly("newest available backup");
        assertThat(plan.stream().filter(d -> d.backup() == newer).findFirst().orElseThrow().reasons()).containsExactly("keep-last 1");
    }
}
