package dev.lifeboat.restore;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeboat.job.JobArgs;
import dev.lifeboat.job.JobKind;

import java.util.List;
import java.util.UUID;

/**
 * A {@code restore} job, as the API validated it. Absent fields are left out of the JSON.
 *
 * @param database new mode: the database to create; null in replace mode (the target's own)
 * @param tables   selective restore: {@code schema.table} names, or null
 * @param schemas  selective restore: schema names, or null (both null: everything)
 * @param globals  true to apply the stored roles first; null otherwise
 * @param jobs     parallel pg_restore jobs, or null for the target's {@code restore.jobs}
 * @param server   new mode: another server to restore to ({@code lifeboat.servers.<name>}, one of the target's
 *                 {@code restore.servers}), or null for the target's own
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreArgs(UUID backupId, RestoreMode mode, String database, List<String> tables, List<String> schemas,
                          Boolean globals, Integer jobs, String server) implements JobArgs {

    @Override
    public String kind() {
        return JobKind.RESTORE.id();
    }

    /** The selection of a selective restore, or null for a whole one. */
    public Selection selection() {
        List<String> t = tables == null ? List.of() : tables;
        List<String> s = schemas == null ? List.of() : schemas;
        return t.isEmpty() && s.isEmpty() ? null : new Selection(t, s);
    }

    public boolean applyGlobals() {
        return Boolean.TRUE.equals(globals);
    }
}
