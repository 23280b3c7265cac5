-- Every mutating API call (start, cancel, delete, pin, unpin, prune, restore, rebuild), whether it was
-- allowed or not: who (token name and role), what, about which target, job or backup, and the HTTP
-- status it got. Written by dev.lifeboat.api.AuditLog; deleted after lifeboat.audit.retention.
CREATE TABLE audit (
    id        bigserial   PRIMARY KEY,
    at        timestamptz NOT NULL,
    token     text,
    role      text,
    action    text        NOT NULL,
    method    text        NOT NULL,
    path      text        NOT NULL,
    target    text,
    job_id    uuid,
    backup_id uuid,
    status    integer     NOT NULL
);
CREATE INDEX audit_at ON audit (at);
