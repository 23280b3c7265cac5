package dev.lifeboat.job;

import java.util.List;

/**
 * The Idempotency-Key namespaces, one per source of jobs. Lifeboat's own keys are made from what they
 * are about (a fire time, an event, a backup), and every key an API caller sends is stored under its
 * token's name: a caller can neither take one of Lifeboat's keys nor meet another caller's job.
 */
public final class IdempotencyKeys {
    /** {@code schedule:<kind>:<target>:<fire time>}: one job per scheduled fire time. */
    public static final String SCHEDULE = "schedule:";
    /** {@code notify:<webhook>:<event>:<job or backup>} or {@code notify:<channel>:<name>:<event>:<job or backup>}: one delivery per receiver and event. */
    public static final String NOTIFY = "notify:";
    /** {@code prune-after-backup:<backup>}: one prune after each backup. */
    public static final String PRUNE_AFTER_BACKUP = "prune-after-backup:";
    /** {@code api:<token name>:<the caller's key>}: a caller's own keys. */
    public static final String API = "api:";

    /** Prefixes an API caller's key may not start with. */
    public static final List<String> RESERVED = List.of(SCHEDULE, NOTIFY, PRUNE_AFTER_BACKUP, API);

    private IdempotencyKeys() {
    }

    /** The stored key of a key an API caller sent with the token {@code tokenName}. */
    public static String ofCaller(String tokenName, String key) {
        return API + tokenName + ":" + key;
    }
}
