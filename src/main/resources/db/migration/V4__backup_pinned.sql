-- Pinned backups (POST /api/v1/backups/{id}/pin) are never deleted by retention
-- (dev.lifeboat.retention.RetentionPolicy).
ALTER TABLE backup ADD COLUMN pinned boolean NOT NULL DEFAULT false;
