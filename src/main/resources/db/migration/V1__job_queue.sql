-- The job queue. One row per job; every state transition is a single UPDATE issued by
-- dev.lifeboat.job.JobQueue. The CHECK constraints below make impossible states
-- unrepresentable, whatever code (or person with psql) touches the table.
--
-- state      who moves a job in                         who moves it out
-- queued     API insert; JobQueue.retry; JobRescuer      JobQueue.claim; JobQueue.cancel
-- running    JobQueue.claim (one statement, SKIP LOCKED)  JobQueue.complete|retry|fail|cancelled; JobRescuer
-- succeeded  JobQueue.complete                           JobCleaner (deletes after lifeboat.queue.retention)
-- failed     JobQueue.fail / retry without attempts left; JobRescuer      JobCleaner
-- cancelled  JobQueue.cancel (queued); worker after a cancel request (running); JobRescuer   JobCleaner
CREATE TABLE job (
    id                  uuid        PRIMARY KEY,
    kind                text        NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$'),
    target              text        CHECK (target ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    state               text        NOT NULL DEFAULT 'queued'
                                    CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    args                jsonb       NOT NULL DEFAULT '{}',
    result              jsonb,
    error               text,
    attempt             integer     NOT NULL DEFAULT 0,
    max_attempts        integer     NOT NULL,
    run_at              timestamptz NOT NULL,
    locked_by           text,
    lease_expires_at    timestamptz,
    idempotency_key     text        UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    progress            jsonb,
    cancel_requested_at timestamptz,
    created_at          timestamptz NOT NULL,
    started_at          timestamptz,
    finished_at         timestamptz,

    CONSTRAINT job_attempts_bounded CHECK (max_attempts >= 1 AND attempt BETWEEN 0 AND max_attempts),
    -- finished_at is set exactly when the state is terminal.
    CONSTRAINT job_finished_iff_terminal
        CHECK ((state IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL)),
    -- a lease (owner and expiry) exists exactly while the job runs.
    CONSTRAINT job_lease_iff_running
        CHECK ((state = 'running') = (locked_by IS NOT NULL AND lease_expires_at IS NOT NULL)),
    CONSTRAINT job_lease_owner_pair CHECK ((locked_by IS NULL) = (lease_expires_at IS NULL)),
    -- a job that ran or finished by running has been attempted at least once and has a start time.
    CONSTRAINT job_running_attempted
        CHECK (state NOT IN ('running', 'succeeded') OR (attempt >= 1 AND started_at IS NOT NULL)),
    -- only a succeeded job has a result; a failed one says why.
    CONSTRAINT job_result_only_when_succeeded CHECK (result IS NULL OR state = 'succeeded'),
    CONSTRAINT job_failed_has_error CHECK (state <> 'failed' OR error IS NOT NULL)
);

-- At most one running job per target, across every replica: backup, restore and drill of the same
-- database never overlap. A second claim for the same target fails with a unique violation and the
-- claiming replica simply tries again.
CREATE UNIQUE INDEX job_one_running_per_target ON job (target) WHERE state = 'running';

-- The claim query walks this index in run order.
CREATE INDEX job_queued_run_at ON job (run_at, created_at) WHERE state = 'queued';
-- The rescuer looks for expired leases.
CREATE INDEX job_running_lease ON job (lease_expires_at) WHERE state = 'running';
-- The cleaner deletes old finished jobs.
CREATE INDEX job_finished_at ON job (finished_at) WHERE finished_at IS NOT NULL;
-- API listing: newest first, optionally per target.
CREATE INDEX job_created ON job (created_at DESC, id DESC);
CREATE INDEX job_target_created ON job (target, created_at DESC, id DESC);
