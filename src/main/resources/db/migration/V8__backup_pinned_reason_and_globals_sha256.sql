-- Why a backup is pinned: set when Lifeboat pins the newest backup before one that shows an anomaly
-- (a table lost rows or vanished, the dump shrank: the database itself may have lost data, and
-- retention must not delete the last copy from before), or when an admin pins it. Cleared by unpin.
ALTER TABLE backup ADD COLUMN pinned_reason text;
ALTER TABLE backup ADD CONSTRAINT backup_pinned_reason_only_when_pinned CHECK (pinned_reason IS NULL OR pinned);

-- The SHA-256 of the stored roles object (globals.sql[.age]) as the backup wrote it: a restore checks the
-- object against this, not only against its manifest, which sits in the same storage and could be
-- changed along with it. Null for backups without globals (and for those made before this column).
ALTER TABLE backup ADD COLUMN globals_sha256 text CHECK (globals_sha256 ~ '^[0-9a-f]{64}$');
