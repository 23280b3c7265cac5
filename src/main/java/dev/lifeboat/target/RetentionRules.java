package dev.lifeboat.target;

import dev.lifeboat.config.LifeboatConfig;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A target's retention ({@code lifeboat.targets.<name>.retention.*}). A backup is kept if any rule
 * keeps it; with no rule at all nothing is ever deleted.
 *
 * @param keepLast    the newest N backups
 * @param keepDaily   the newest backup of each of the last N days that have backups (UTC days)
 * @param keepWeekly  the same per ISO week
 * @param keepMonthly the same per calendar month
 * @param keepYearly  the same per calendar year
 * @param minAge      every backup younger than this
 */
public record RetentionRules(Integer keepLast, Integer keepDaily, Integer keepWeekly, Integer keepMonthly, Integer keepYearly,
                             Duration minAge) {
    public static final RetentionRules NONE = new RetentionRules(null, null, null, null, null, null);

    /** The rules of a target's configuration. */
    public static RetentionRules of(LifeboatConfig.TargetRetention r) {
        return new RetentionRules(r.keepLast().orElse(null), r.keepDaily().orElse(null), r.keepWeekly().orElse(null),
                r.keepMonthly().orElse(null), r.keepYearly().orElse(null), r.minAge().orElse(null));
    }

    public boolean isEmpty() {
        return keepLast == null && keepDaily == null && keepWeekly == null && keepMonthly == null && keepYearly == null && minAge == null;
    }

    /** The rules as configured, for the API (absent rules left out). */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (keepLast != null) {
            m.put("keepLast", keepLast);
        }
        if (keepDaily != null) {
            m.put("keepDaily", keepDaily);
        }
        if (keepWeekly != null) {
            m.put("keepWeekly", keepWeekly);
        }
        if (keepMonthly != null) {
            m.put("keepMonthly", keepMonthly);
        }
        if (keepYearly != null) {
            m.put("keepYearly", keepYearly);
        }
        if (minAge != null) {
            m.put("minAge", minAge.toString());
        }
        return m;
    }
}
