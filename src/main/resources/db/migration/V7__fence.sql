-- Every database a replace restore fences (ALTER DATABASE ... ALLOW_CONNECTIONS false), recorded by
-- dev.lifeboat.restore.Fences before the fence goes up and marked lifted when connections are allowed
-- again. The maintenance pass re-allows connections on any fence whose job is no longer running (its
-- replica died, or its un-fence failed), so a live database never stays closed for good.
CREATE TABLE fence (
    job_id      uuid        NOT NULL,
    target      text        NOT NULL CHECK (target ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    -- the live database fenced, and the name it keeps if the swap renamed it
    database    text        NOT NULL,
    kept_as     text        NOT NULL,
    fenced_at   timestamptz NOT NULL,
    lifted_at   timestamptz,
    -- who let connections in again: the restore itself, a later attempt of it, or the maintenance pass
    lifted_by   text,
    PRIMARY KEY (job_id, database),
    CONSTRAINT fence_lifted_together CHECK ((lifted_at IS NULL) = (lifted_by IS NULL))
);
CREATE INDEX fence_open ON fence (fenced_at) WHERE lifted_at IS NULL;
