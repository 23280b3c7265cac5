package dev.lifeboat.retention;

import dev.lifeboat.backup.Backup;
import dev.lifeboat.target.RetentionRules;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Decides which of a target's backups a prune keeps, and why. Pure: the backups, the rules, the time
 * and the backups in use go in, a decision per backup comes out (tests run a simulated year through it).
 *
 * <p>Rules (a backup is kept if any of them keeps it): {@code keep-last}; {@code keep-daily},
 * {@code -weekly}, {@code -monthly}, {@code -yearly} (grandfather-father-son: the newest backup of
 * each of the last N periods that have backups; periods in UTC, weeks ISO); {@code min-age}. Always
 * kept, whatever the rules: the newest available backup, the newest backup whose newest drill passed,
 * pinned backups, and backups a queued or running job (restore, drill, verify) uses. With no rules
 * configured everything is kept.
 */
public final class RetentionPolicy {
    private RetentionPolicy() {
    }

    /** One backup's fate: kept with the rules that keep it, or deleted because none does. */
    public record Decision(Backup backup, boolean keep, List<String> reasons) {
    }

    public static List<Decision> decide(List<Backup> backups, RetentionRules rules, Instant now, Set<UUID> inUse) {
        List<Backup> newestFirst = new ArrayList<>(backups);
        newestFirst.sort(Comparator.comparing((Backup b) -> b.createdAt).thenComparing(b -> b.id).reversed());
        Map<UUID, List<String>> reasons = new LinkedHashMap<>();
        for (Backup b : newestFirst) {
            reasons.put(b.id, new ArrayList<>());
        }
        if (rules.isEmpty()) {
            newestFirst.forEach(b -> reasons.get(b.id).add("no retention rules configured"));
        }
        newestFirst.stream().filter(b -> Backup.AVAILABLE.equals(b.status)).findFirst()
                .ifPresent(b -> reasons.get(b.id).add("newest available backup"));
        newestFirst.stream().filter(b -> Boolean.TRUE.equals(b.lastDrillPassed)).findFirst()
                .ifPresent(b -> reasons.get(b.id).add("newest backup that passed a drill"));
        for (Backup b : newestFirst) {
            if (b.pinned) {
                reasons.get(b.id).add(b.pinnedReason == null ? "pinned" : "pinned " + b.pinnedReason);
            }
            if (inUse.contains(b.id)) {
                reasons.get(b.id).add("in use by a queued or running job");
            }
            if (rules.minAge() != null && b.createdAt.isAfter(now.minus(rules.minAge()))) {
                reasons.get(b.id).add("younger than min-age " + rules.minAge());
            }
        }
        if (rules.keepLast() != null) {
            for (int i = 0; i < Math.min(rules.keepLast(), newestFirst.size()); i++) {
                reasons.get(newestFirst.get(i).id).add("keep-last " + rules.keepLast());
            }
        }
        period(newestFirst, rules.keepDaily(), "keep-daily", t -> t.toLocalDate().toString(), reasons);
        period(newestFirst, rules.keepWeekly(), "keep-weekly",
                t -> t.get(IsoFields.WEEK_BASED_YEAR) + "-W" + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), reasons);
        period(newestFirst, rules.keepMonthly(), "keep-monthly", t -> t.getYear() + "-" + t.getMonthValue(), reasons);
        period(newestFirst, rules.keepYearly(), "keep-yearly", t -> Integer.toString(t.getYear()), reasons);

        List<Decision> out = new ArrayList<>();
        for (Backup b : newestFirst) {
            List<String> r = reasons.get(b.id);
            out.add(new Decision(b, !r.isEmpty(), r.isEmpty() ? List.of("no rule keeps it") : List.copyOf(r)));
        }
        return out;
    }

    /** The newest backup of each of the newest {@code n} periods that have backups. */
    private static void period(List<Backup> newestFirst, Integer n, String rule, Function<ZonedDateTime, String> periodOf,
                               Map<UUID, List<String>> reasons) {
        if (n == null || n <= 0) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (Backup b : newestFirst) {
            String p = periodOf.apply(b.createdAt.atZone(ZoneOffset.UTC));
            if (seen.contains(p)) {
                continue;
            }
            if (seen.size() == n) {
                break;
            }
            seen.add(p);
            reasons.get(b.id).add(rule + " " + n + " (" + p + ")");
        }
    }
}
