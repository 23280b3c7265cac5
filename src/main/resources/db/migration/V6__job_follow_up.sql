-- Follow-ups of finished jobs (prune after a backup, webhook notifications, drill bookkeeping,
-- backup metrics): one row per job and follow-up that has run, written in the same transaction as the
-- follow-up's own writes by dev.lifeboat.job.FollowUps. Every replica hears a job finish and tries;
-- the primary key lets exactly one of them do it, and a crash before the commit leaves no row, so the
-- reconcile pass does it later. Rows go with their job when the cleaner deletes it.
CREATE TABLE job_follow_up (
    job_id  uuid        NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    name    text        NOT NULL CHECK (name ~ '^[a-z][a-z0-9_-]{0,39}$'),
    done_at timestamptz NOT NULL,
    PRIMARY KEY (job_id, name)
);

-- Jobs that finished before this version did their follow-ups inline: mark them done, so the
-- reconcile pass does not send their notifications or count their drills again. The names are those
-- of the JobFollowUp beans of this version (Notifier, PruneAfterBackup, DrillRecorder, BackupMetrics).
INSERT INTO job_follow_up (job_id, name, done_at)
SELECT j.id, f.name, j.finished_at
FROM job j CROSS JOIN (VALUES ('notify'), ('prune-after-backup'), ('drill-record'), ('backup-metrics')) AS f(name)
WHERE j.finished_at IS NOT NULL;
