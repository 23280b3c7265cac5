-- Anomalies a backup showed against the previous backup of its target (rows or size dropped), as
-- found by dev.lifeboat.backup.Anomalies; also in its manifest.json.
ALTER TABLE backup ADD COLUMN warnings jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(warnings) = 'array');
