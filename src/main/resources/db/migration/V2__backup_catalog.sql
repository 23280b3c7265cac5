-- The backup catalog. A row exists only for a backup whose every copy was uploaded, checked (size and
-- SHA-256 of the stored bytes) and completed by its manifest.json: there is no "in progress" row, so
-- a failed, cancelled or killed backup can never be listed as good. Written by
-- dev.lifeboat.backup.BackupHandler; the manifests in storage hold the same facts, so this table can
-- be rebuilt from them if Lifeboat's own database is lost.
CREATE TABLE backup (
    id               uuid        PRIMARY KEY,
    target           text        NOT NULL CHECK (target ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    database         text        NOT NULL,
    -- available: every copy verified at creation (and at the last verify, if any);
    -- damaged: a verify found a copy missing or different (see error and locations).
    status           text        NOT NULL CHECK (status IN ('available', 'damaged')),
    format           text        NOT NULL CHECK (format IN ('custom', 'directory')),
    -- the snapshot time: the moment the backup represents
    created_at       timestamptz NOT NULL,
    finished_at      timestamptz NOT NULL,
    size_bytes       bigint      NOT NULL CHECK (size_bytes >= 0),
    sha256           text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    encrypted        boolean     NOT NULL,
    recipients       jsonb       NOT NULL DEFAULT '[]',
    server_version   text        NOT NULL,
    pg_dump_version  text        NOT NULL,
    -- [{storage, key, manifestKey, sizeBytes, sha256, verifiedAt, problem}]
    locations        jsonb       NOT NULL CHECK (jsonb_typeof(locations) = 'array' AND jsonb_array_length(locations) >= 1),
    row_counts       jsonb       NOT NULL,
    -- the object key prefix of this backup inside each store: <target>/<yyyy>/<mm>/<dd>/<id>/
    prefix           text        NOT NULL,
    globals          boolean     NOT NULL DEFAULT false,
    job_id           uuid,
    verified_at      timestamptz,
    error            text,
    CONSTRAINT backup_damaged_says_why CHECK (status <> 'damaged' OR error IS NOT NULL)
);

CREATE INDEX backup_created ON backup (created_at DESC, id DESC);
CREATE INDEX backup_target_created ON backup (target, created_at DESC, id DESC);
