-- How the stored dump is compressed: 'zstd' (an uncompressed pg_dump archive, compressed by Lifeboat:
-- dump.pgc.zst[.age]), 'gzip' (pg_dump's own compression: every backup made before this column), or
-- 'none'. A restore decompresses accordingly.
ALTER TABLE backup ADD COLUMN compression text NOT NULL DEFAULT 'gzip' CHECK (compression IN ('zstd', 'gzip', 'none'));

-- The size of the archive pg_dump wrote, before Lifeboat compressed and encrypted it: what a restore that
-- spools the archive (pg_restore --jobs) needs on its scratch disk. Null when unknown (older backups:
-- the stored size is then the best estimate, as pg_dump compressed them itself).
ALTER TABLE backup ADD COLUMN archive_bytes bigint CHECK (archive_bytes >= 0);
