package dev.lifeboat.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything under {@code lifeboat.*}. Each key is part of the public configuration contract
 * and is documented in README.md ("Configuration reference"). Values may reference environment
 * variables ({@code ${MASTODON_DB_PASSWORD}}), so Kubernetes Secrets can be injected as env vars.
 */
@ConfigMapping(prefix = "lifeboat")
public interface LifeboatConfig {

    /** API authentication. */
    Auth auth();

    /** Databases to protect, by target name. Targets come from configuration only, never from the API. */
    Map<String, Target> targets();

    /** Where backups are stored, by storage name. */
    Map<String, Storage> storage();

    /**
     * PostgreSQL servers that are not targets, by name: where drills may run ({@code targets.<t>.drill.server})
     * and where restores may go ({@code targets.<t>.restore.servers}), e.g. a drill server, or a new host or
     * major version to migrate to.
     */
    Map<String, Server> servers();

    interface Server extends Connection {
        /** The database Lifeboat connects to for creating, renaming and dropping databases. */
        @WithName("maintenance-db")
        @WithDefault("postgres")
        String maintenanceDb();
    }

    /** The job queue and this replica's worker pool. */
    Queue queue();

    /** The PostgreSQL client tools (pg_dump, pg_restore, psql, pg_dumpall) and how they are run. */
    Pg pg();

    /** age encryption of backups. */
    Encryption encryption();

    interface Auth {
        /** API bearer tokens, by a name of your choosing (the name appears in logs, the token never does). */
        Map<String, Token> tokens();
    }

    interface Token {
        /** {@code sha256:<hex of the token>}; the token itself is never configured. */
        String hash();

        /** {@code viewer} (read), {@code operator} (backup, drill, verify, cancel) or {@code admin} (restore, delete). */
        String role();
    }

    /** How Lifeboat reaches a PostgreSQL server: the keys targets and other servers share. */
    interface Connection {
        /** Host of the PostgreSQL server. */
        @WithDefault("localhost")
        String host();

        /** Port of the PostgreSQL server. */
        @WithDefault("5432")
        int port();

        /** The role Lifeboat connects as (default: {@code postgres}). */
        @WithDefault("postgres")
        String username();

        /** The password, usually as an env reference such as {@code ${MASTODON_DB_PASSWORD}}. Never logged or returned. */
        Optional<String> password();

        /** A file holding the password (read at each use, so rotated Secrets work). Alternative to {@code password}. */
        @WithName("password-file")
        Optional<Path> passwordFile();

        /**
         * TLS to the server, as libpq's sslmode: {@code disable}, {@code allow}, {@code prefer},
         * {@code require}, {@code verify-ca} or {@code verify-full}. Used by Lifeboat's own connections and
         * by every PostgreSQL tool it runs.
         */
        @WithDefault("prefer")
        String sslmode();

        /** The CA certificate file the server's certificate must chain to (required by verify-ca and verify-full). */
        Optional<Path> sslrootcert();
    }

    interface Target extends Connection {
        /** The database to back up (required). */
        Optional<String> database();

        /** Comma-separated storage names this target's backups go to. May be omitted when exactly one storage exists. */
        Optional<List<String>> storage();

        /** Verification profile for drills: {@code generic} or {@code mastodon}. */
        @WithDefault("generic")
        String profile();

        /**
         * pg_dump format: {@code custom} (one compressed archive streamed straight to storage) or
         * {@code directory} (pg_dump -Fd with {@code jobs} parallel workers into a scratch directory,
         * then stored as one tar stream; needs scratch disk as large as the dump).
         */
        @WithDefault("custom")
        String format();

        /** Parallel pg_dump workers for the {@code directory} format. */
        @WithDefault("1")
        int jobs();

        /**
         * How dumps are compressed: {@code zstd} (pg_dump uncompressed, multi-threaded zstd in Lifeboat, row
         * counts read from the archive), {@code gzip} (pg_dump's own, as before zstd) or {@code none}.
         */
        @WithDefault("zstd")
        String compression();

        /** zstd's level (1 to 19, default 2) or gzip's (pg_dump {@code --compress}, 0 to 9, default pg_dump's). */
        Optional<Integer> compressionLevel();

        /** zstd worker threads; default: the number of cores. */
        Optional<Integer> compressionThreads();

        /** Also store roles and tablespaces ({@code pg_dumpall --globals-only --no-role-passwords}) beside the dump. */
        @WithDefault("false")
        boolean globals();

        /** How restores of this target's backups run ({@code POST /api/v1/restores}). */
        TargetRestore restore();

        /** Webhooks around a replace restore (e.g. to stop and start the application). */
        Hooks hooks();

        /** When this target's backups and drills run on their own. */
        TargetSchedule schedule();

        /** Which backups a prune keeps; without any rule nothing is deleted. */
        TargetRetention retention();

        /** Where and how this target's drills run. */
        TargetDrill drill();
    }

    interface TargetDrill {
        /**
         * The server ({@code lifeboat.servers.<name>}) drills of this target restore into; default the
         * target's own server. A separate drill server keeps a drill's disk and I/O off production.
         */
        Optional<String> server();

        /** Checks of the admin's own, by name: each one query returning one boolean, run read-only on the drill's scratch database. */
        Map<String, DrillCheck> checks();
    }

    interface DrillCheck {
        /** One SQL query returning one row with one boolean column: true is a pass. */
        String sql();
    }

    interface TargetRetention {
        /** Keep the newest N backups. */
        @WithName("keep-last")
        Optional<Integer> keepLast();

        /** Keep the newest backup of each of the last N days that have backups (UTC). */
        @WithName("keep-daily")
        Optional<Integer> keepDaily();

        /** Keep the newest backup of each of the last N ISO weeks that have backups. */
        @WithName("keep-weekly")
        Optional<Integer> keepWeekly();

        /** Keep the newest backup of each of the last N months that have backups. */
        @WithName("keep-monthly")
        Optional<Integer> keepMonthly();

        /** Keep the newest backup of each of the last N years that have backups. */
        @WithName("keep-yearly")
        Optional<Integer> keepYearly();

        /** Keep every backup younger than this. */
        @WithName("min-age")
        Optional<Duration> minAge();
    }

    interface TargetSchedule {
        /**
         * Cron expression of automatic backups, as quarkus-scheduler reads it (Quartz: seconds, minutes,
         * hours, day of month, month, day of week, e.g. {@code 0 0 3 * * ?} for 03:00 every day).
         * With several replicas each fire time makes exactly one backup.
         */
        Optional<String> backup();

        /** Cron expression of automatic drills of the target's newest available backup (e.g. {@code 0 0 5 ? * SUN}). */
        Optional<String> drill();
    }

    interface TargetRestore {
        /**
         * The role that owns what a restore creates ({@code pg_restore --no-owner --role=<role>}); default:
         * the target's {@code username}.
         */
        Optional<String> role();

        /**
         * Keep the owners recorded in the dump (pg_restore without {@code --no-owner}). The roles must
         * exist on the server (e.g. from the stored globals) and the target's user must be allowed to
         * give objects to them, which usually means a superuser.
         */
        @WithName("keep-owners")
        @WithDefault("false")
        boolean keepOwners();

        /** Restore GRANTs and REVOKEs; {@code false} adds {@code --no-privileges} (for a server whose roles differ). */
        @WithDefault("true")
        boolean privileges();

        /** The other servers ({@code lifeboat.servers.<name>}) this target's backups may be restored to (new-database restores). */
        Optional<List<String>> servers();

        /**
         * Parallel pg_restore jobs of restores and drills of this target (a restore request's {@code jobs}
         * overrides it for that restore). Default: the target's {@code jobs} (1 unless the directory format
         * dumps in parallel). With more than 1, a custom-format archive is first spooled to
         * {@code lifeboat.backup.scratch-dir} (after checking free space), because {@code pg_restore -j}
         * needs a seekable file; with 1 it streams from storage.
         */
        Optional<Integer> jobs();
    }

    interface Hooks {
        /**
         * URL POSTed before a replace restore fences the database (after the new copy is restored and
         * checked); a non-2xx answer or no answer aborts the restore with the database untouched.
         */
        @WithName("pre-restore")
        Optional<URI> preRestore();

        /** URL POSTed after a replace restore swapped the databases (its failure is reported, not undone). */
        @WithName("post-restore")
        Optional<URI> postRestore();

        /** How long a hook may take to answer. */
        @WithDefault("60s")
        Duration timeout();

        /**
         * HMAC-SHA256 key the hook requests are signed with ({@code X-Lifeboat-Signature} over
         * {@code "<X-Lifeboat-Timestamp>.<body>"}), as webhook notifications are. Never logged.
         */
        Optional<String> secret();
    }

    interface Storage {
        /** {@code filesystem} or {@code s3}. */
        String type();

        /** filesystem: the directory backups are written under. */
        Optional<Path> path();

        /** s3: endpoint URL for S3-compatible services (MinIO, Ceph, R2, B2, Wasabi); omit for AWS. */
        Optional<String> endpoint();

        /** s3: bucket name. */
        Optional<String> bucket();

        /** s3: region. */
        @WithDefault("us-east-1")
        String region();

        /** s3: key prefix under which targets are stored. */
        Optional<String> prefix();

        /** s3: use path-style addressing (needed by MinIO, Ceph and most self-hosted endpoints). */
        @WithName("path-style")
        @WithDefault("false")
        boolean pathStyle();

        /** s3: access key id (default: the AWS SDK's default credentials chain). */
        @WithName("access-key-id")
        Optional<String> accessKeyId();

        /** s3: secret access key. Never logged or returned. */
        @WithName("secret-access-key")
        Optional<String> secretAccessKey();

        /**
         * s3: size of the first parts of a multipart upload (at least 5M, S3's minimum). It doubles every
         * 1,000 parts up to 64M (or this size, if larger), so the 10,000 parts S3 allows hold about 492 GiB
         * at the default. Each upload buffers up to {@code upload-concurrency + 1} parts in memory. The
         * default 8M is the AWS CLI's: a backup's memory hardly depends on its size (16M parts made the
         * peak RSS of a 30 MiB object's backup 11 % higher than a 10 MiB one's; 8M: 2 %).
         */
        @WithName("part-size")
        @WithDefault("8M")
        MemorySize partSize();

        /** s3: parts of one upload sent at the same time, while the next part fills. */
        @WithName("upload-concurrency")
        @WithDefault("2")
        int uploadConcurrency();
    }

    /** How backups are checked. */
    Backup backup();

    /** Restore drills. */
    Drill drill();

    /** Webhooks and chat, push, email and Fediverse channels told about failures, drills and anomalies. */
    Notifications notifications();

    interface Notifications {
        /** The webhooks, by name. */
        Map<String, Webhook> webhooks();

        /** Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat), by name. */
        Map<String, Slack> slack();

        /** Discord channel webhooks, by name. */
        Map<String, Discord> discord();

        /** ntfy topics, by name. */
        Map<String, Ntfy> ntfy();

        /** Matrix rooms, by name. */
        Map<String, Matrix> matrix();

        /** Email recipients (SMTP through {@code quarkus.mailer.*}), by name. */
        Map<String, Email> email();

        /** Mastodon accounts that post or send a direct message, by name. */
        Map<String, Mastodon> mastodon();

        /** How long one delivery may take before it counts as failed (and is retried with backoff). */
        @WithDefault("10s")
        Duration timeout();

        /** Deliveries running at once per replica, on workers of their own (they never take a backup's slot). */
        @WithDefault("2")
        int workers();

        /** What every channel has: which events it is told about. */
        interface Channel {
            /**
             * Events sent: {@code job.failed}, {@code job.succeeded}, {@code drill.failed}, {@code drill.passed},
             * {@code anomaly.detected}, or {@code *} for all.
             */
            @WithDefault("job.failed,drill.failed,anomaly.detected")
            List<String> events();
        }

        interface Webhook extends Channel {
            /** http(s) URL the events are POSTed to. */
            URI url();

            /** HMAC-SHA256 key: each body is signed in {@code X-Lifeboat-Signature: sha256=<hex>}. Never logged. */
            Optional<String> secret();
        }

        interface Slack extends Channel {
            /**
             * The incoming webhook URL. It is a secret (whoever has it can post): only its scheme and host are ever
             * shown. A string, not a URI, so that not even a malformed one is echoed by a conversion error.
             */
            Optional<String> url();
        }

        interface Discord extends Channel {
            /** The channel webhook URL ({@code https://discord.com/api/webhooks/<id>/<token>}). A secret, like Slack's. */
            Optional<String> url();
        }

        interface Ntfy extends Channel {
            /** Server and topic, e.g. {@code https://ntfy.sh/lifeboat-7f3a}. The topic is shown nowhere (on a public server it is the password). */
            Optional<String> url();

            /** Access token sent as {@code Authorization: Bearer} (servers with access control). Never logged. */
            Optional<String> token();

            /** ntfy priority (1 to 5, or min, low, default, high, max, urgent) of every message; default: high for failures and anomalies, default otherwise. */
            Optional<String> priority();
        }

        interface Matrix extends Channel {
            /** The homeserver's client-server API base URL, e.g. {@code https://matrix.example.org}. */
            Optional<URI> homeserver();

            /** The room id ({@code !abc123:example.org}, not an alias); the account must have joined it. */
            Optional<String> room();

            /** The account's access token, sent as {@code Authorization: Bearer}. Never logged. */
            @WithName("access-token")
            Optional<String> accessToken();
        }

        interface Email extends Channel {
            /** Recipients, comma-separated. */
            Optional<List<String>> to();

            /** Sender; default {@code quarkus.mailer.from}. */
            Optional<String> from();

            /** Put before every subject. */
            @WithName("subject-prefix")
            @WithDefault("[Lifeboat]")
            String subjectPrefix();
        }

        interface Mastodon extends Channel {
            /** The instance's base URL, e.g. {@code https://example.social}. */
            Optional<URI> instance();

            /** The account's access token (scope {@code write:statuses}), sent as {@code Authorization: Bearer}. Never logged. */
            @WithName("access-token")
            Optional<String> accessToken();

            /** {@code direct} (a private mention of {@code to}), {@code private} (followers only), {@code unlisted} or {@code public}. */
            @WithDefault("direct")
            String visibility();

            /** Accounts mentioned, e.g. {@code @admin@example.social}; required for {@code direct}. */
            Optional<List<String>> to();
        }
    }

    /** When a backup looks wrong compared with the previous one of its target. */
    Anomaly anomaly();

    interface Anomaly {
        /** A table losing more than this fraction of its rows since the previous backup is an anomaly. */
        @WithName("row-drop-fraction")
        @WithDefault("0.05")
        double rowDropFraction();

        /** Only tables that had more rows than this in the previous backup are compared. */
        @WithName("min-rows")
        @WithDefault("1000")
        long minRows();

        /** A dump smaller than the previous one by more than this fraction is an anomaly. */
        @WithName("size-drop-fraction")
        @WithDefault("0.5")
        double sizeDropFraction();
    }

    /** Schedules ({@code lifeboat.targets.<name>.schedule.*}). */
    Schedule schedule();

    /** The audit log of mutating API calls ({@code GET /api/v1/audit}). */
    Audit audit();

    interface Audit {
        /** Entries older than this are deleted (hourly). */
        @WithDefault("365d")
        Duration retention();
    }

    interface Schedule {
        /** Time zone the cron expressions are read in (default: the JVM's, UTC in the container image). */
        @WithName("time-zone")
        Optional<String> timeZone();
    }

    interface Drill {
        /**
         * mastodon profile: the newest {@code statuses.created_at} in the restored database may be at most
         * this much older than the backup's snapshot (a quiet instance needs a longer window).
         */
        @WithName("freshness-window")
        @WithDefault("7d")
        Duration freshnessWindow();

        /**
         * How often every target's server is checked for scratch databases ({@code lifeboat_drill_*},
         * {@code lifeboat_restore_*}) and local spools that this installation's crashed drills and
         * restores left behind; they are dropped. Each drill and restore also does it first.
         */
        @WithName("sweep-interval")
        @WithDefault("15m")
        Duration sweepInterval();
    }

    interface Backup {
        /**
         * After upload, read every stored copy back and compare its size and SHA-256 with what was
         * written ({@code true}); with {@code false} only the size is compared. Reading back costs a
         * download of each copy; {@code POST /api/v1/backups/{id}/verify} does the full check later.
         */
        @WithName("read-back")
        @WithDefault("true")
        boolean readBack();

        /**
         * With read-back on, a copy whose store checked it itself is not downloaded again: S3 verifies each
         * part against the SHA-256 Lifeboat sends with it and returns the object's composite checksum, which
         * Lifeboat compares with its own. Stores that do not (a filesystem, endpoints that ignore checksums)
         * are read back. {@code false}: every copy is read back. Verify jobs always read every byte.
         */
        @WithName("trust-store-checksums")
        @WithDefault("true")
        boolean trustStoreChecksums();

        /**
         * Memory for the part buffers of all S3 uploads of this replica together (default: a quarter of
         * the maximum heap, at least 64M). Backups wait for it rather than exceed it, so many concurrent
         * backups and copies cannot run the service out of memory; a single upload may still use one
         * part more when nothing else is in flight.
         */
        @WithName("upload-memory")
        Optional<io.quarkus.runtime.configuration.MemorySize> uploadMemory();

        /** Where the {@code directory} format writes pg_dump's output before storing it (default: the JVM's temp dir). */
        @WithName("scratch-dir")
        Optional<Path> scratchDir();

        /** Where local spools go: {@code scratch-dir}, or the JVM's temp dir. */
        default Path scratchBase() {
            return scratchDir().orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir")));
        }
    }

    interface Queue {
        /** Whether this replica runs workers. API-only replicas set it to false. */
        @WithDefault("true")
        boolean enabled();

        /** How long a running job's lease lasts without a heartbeat before another replica may rescue it. */
        @WithDefault("60s")
        Duration lease();

        /** Concurrent jobs per replica. */
        @WithDefault("4")
        int workers();

        /** Attempts per job before it fails for good (retryable failures only). */
        @WithName("max-attempts")
        @WithDefault("3")
        int maxAttempts();

        /** How often idle workers look for due jobs when no notification arrives (retries whose run_at passed). */
        @WithName("poll-interval")
        @WithDefault("1s")
        Duration pollInterval();

        /** First retry delay; doubles with each attempt (with jitter), capped by {@code retry-backoff-max}. */
        @WithName("retry-backoff")
        @WithDefault("30s")
        Duration retryBackoff();

        /** Upper bound of the retry delay. */
        @WithName("retry-backoff-max")
        @WithDefault("1h")
        Duration retryBackoffMax();

        /** How often each replica looks for running jobs whose lease expired (their worker died). */
        @WithName("rescue-interval")
        @WithDefault("10s")
        Duration rescueInterval();

        /** How often each replica deletes finished jobs older than {@code retention}. */
        @WithName("clean-interval")
        @WithDefault("1h")
        Duration cleanInterval();

        /** Finished jobs (succeeded, failed, cancelled) older than this are deleted by the cleaner. */
        @WithName("retention")
        @WithDefault("30d")
        Duration retention();
    }

    interface Pg {
        /**
         * Directories searched for pg_dump, pg_restore, psql and pg_dumpall, comma-separated; a {@code *}
         * in a path component is a glob. Default: {@code /usr/lib/postgresql/*&#47;bin} (the Debian and
         * Ubuntu layout, one directory per installed major version), then the directories on {@code PATH}.
         * For each server Lifeboat uses the lowest tool major version that is at least the server's.
         */
        @WithName("bin-dirs")
        Optional<List<String>> binDirs();

        /**
         * How long pg_dump waits for a table's shared lock before it gives up (its
         * {@code --lock-wait-timeout}); a migration holding an exclusive lock then fails the attempt,
         * which is retried later, instead of blocking the backup indefinitely.
         */
        @WithName("lock-wait-timeout")
        @WithDefault("5m")
        Duration lockWaitTimeout();

        /** Upper bound of one pg_dump run; it is killed after this and the attempt is retried. */
        @WithName("dump-timeout")
        @WithDefault("12h")
        Duration dumpTimeout();

        /** Connect timeout of Lifeboat's own connections to targets and of the tools it runs ({@code PGCONNECT_TIMEOUT}). */
        @WithName("connect-timeout")
        @WithDefault("10s")
        Duration connectTimeout();
    }

    interface Encryption {
        /**
         * age X25519 recipients ({@code age1…}, comma-separated) every backup is encrypted to; the
         * public keys only, so a Lifeboat that backs up cannot read its backups. Print one with
         * {@code age-keygen -y key.txt}. No recipients: backups are stored unencrypted.
         */
        Optional<List<String>> recipients();

        /**
         * An age identity file ({@code AGE-SECRET-KEY-1…} lines, {@code #} comments allowed), needed only
         * by replicas that restore or drill. Mount it from a Kubernetes Secret; it is read at each use.
         */
        @WithName("identity-file")
        Optional<Path> identityFile();
    }
}
