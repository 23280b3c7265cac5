-- Drill history on each backup: the last drill's time, outcome and restore time (RTO), and how many
-- drills it had. Written by dev.lifeboat.drill.DrillRecorder when a drill job ends with a verdict.
ALTER TABLE backup
    ADD COLUMN last_drill_at              timestamptz,
    ADD COLUMN last_drill_passed          boolean,
    ADD COLUMN last_drill_restore_seconds double precision CHECK (last_drill_restore_seconds >= 0),
    ADD COLUMN drill_count                integer NOT NULL DEFAULT 0 CHECK (drill_count >= 0),
    ADD CONSTRAINT backup_drill_recorded_together
        CHECK ((last_drill_at IS NULL) = (last_drill_passed IS NULL));
