package dev.lifeboat.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.storage.S3TestResource;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * docs/runbook.md, followed literally: two backups of {@code shop} are made through the API, then the
 * runbook's marked shell blocks run as written, in one bash session, with the real s3cmd (and the AWS
 * CLI where one is installed), jq, sha256sum, age, createdb, pg_restore and psql against S3Proxy over
 * HTTP and the local PostgreSQL. No Lifeboat code takes part in the recovery; the test only supplies
 * the variables of the runbook's step 2, an s3cmd config file for its endpoint, and checks the outcome.
 */
@QuarkusTest
class RunbookTest {
    static final Path RUNBOOK = Path.of("docs/runbook.md");
    private static final Pattern BLOCK = Pattern.compile("<!-- runbook-test: ([a-z0-9-]+) -->\\n```sh\\n(.*?)\\n```", Pattern.DOTALL);
    /** The marked blocks, in the order an operator with an S3 store runs them; the alternatives are run beside it. */
    private static final List<String> S3CMD_PATH = List.of("s3cmd-find", "pick", "s3cmd-fetch", "check", "decrypt", "roles-dry-run", "restore", "row-counts");
    private static final List<String> AWS_PATH = List.of("aws-find", "pick", "aws-fetch");
    private static final List<String> FILESYSTEM_PATH = List.of("filesystem-find", "check");

    @Inject
    ObjectMapper json;

    @BeforeAll
    static void database() throws Exception {
        TargetDbs.recreateShop();
    }

    @Test
    void anOperatorWithOnlyTheBucketAndTheKeyRestoresTheNewestCompleteBackupByFollowingTheRunbook(@TempDir Path work) throws Exception {
        Map<String, String> blocks = runbookBlocks();
        List<String> tested = new ArrayList<>(S3CMD_PATH);
        tested.addAll(AWS_PATH);
        tested.addAll(FILESYSTEM_PATH);
        assertThat(blocks.keySet()).as("every marked block of the runbook is run by this test, and every block it runs exists")
                .containsExactlyInAnyOrderElementsOf(tested.stream().distinct().toList());
        for (String tool : List.of("s3cmd", "jq", "age", "sha256sum", "createdb", "pg_restore", "psql")) {
            if (!installed(tool)) {
                fail(tool + " is not installed, and the runbook needs it: run scripts/pg-setup.sh test, which installs age, s3cmd"
                        + " and jq from Debian packages (apt-get install " + tool + ")");
            }
        }
        boolean aws = installed("aws");

        String older = dev.lifeboat.support.Jobs.backupSucceeds("shop").getString("result.backupId");
        String newest = dev.lifeboat.support.Jobs.backupSucceeds("shop").getString("result.backupId");
        Config config = ConfigProvider.getConfig();
        String bucket = config.getValue("lifeboat.storage.s3.bucket", String.class);
        String prefix = config.getValue("lifeboat.storage.s3.prefix", String.class);
        String accessKey = config.getValue("lifeboat.storage.s3.access-key-id", String.class);
        String secretKey = config.getValue("lifeboat.storage.s3.secret-access-key", String.class);
        URI endpoint = URI.create(config.getValue("lifeboat.storage.s3.endpoint", String.class));
        // An interrupted backup (a dump, no manifest) dated later than any real one: the runbook must pass it by.
        String incomplete = prefix + "/shop/2099/12/31/" + UUID.randomUUID() + "/dump.pgc.zst.age";
        S3TestResource.server().admin().putObject(b -> b.bucket(bucket).key(incomplete), RequestBody.fromString("half a dump"));

        // The runbook's s3cmd config, for this endpoint: plain HTTP, path-style (host_bucket without %(bucket)s).
        writePrivate(work.resolve("s3.cfg"), String.join("\n", "[default]",
                "access_key = " + accessKey, "secret_key = " + secretKey,
                "host_base = " + endpoint.getAuthority(), "host_bucket = " + endpoint.getAuthority(),
                "bucket_location = us-east-1", "use_https = False", ""));
        // What `aws configure set default.s3.addressing_style path` writes; the keys come from the environment.
        writePrivate(work.resolve("aws-config"), "[default]\ns3 =\n    addressing_style = path\n");

        String newdb = "lbt_runbook_" + newest.substring(0, 8);
        Map<String, String> env = new HashMap<>(BackupTest.pgEnv("lifeboat_test"));
        env.putAll(Map.of("BUCKET", bucket, "PREFIX", prefix, "TARGET", "shop", "OWNER", TargetDbs.ROLE, "NEWDB", newdb,
                "KEY", BackupTest.IDENTITY.toAbsolutePath().toString(), "STORE_DIR", BackupTest.LOCAL_ROOT.toAbsolutePath().toString(),
                "ENDPOINT", endpoint.toString()));
        env.putAll(Map.of("AWS_ACCESS_KEY_ID", accessKey, "AWS_SECRET_ACCESS_KEY", secretKey, "AWS_DEFAULT_REGION", "us-east-1",
                "AWS_CONFIG_FILE", work.resolve("aws-config").toString(),
                "AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-aws-credentials").toString()));

        StringBuilder script = new StringBuilder("set -euo pipefail\n");
        if (aws) { // the same recovery with the AWS CLI, in a directory of its own
            script.append("(\nmkdir aws-cli && cd aws-cli\n");
            AWS_PATH.forEach(name -> script.append(step("aws/" + name, blocks.get(name))));
            script.append(")\n");
        }
        script.append("(\nmkdir filesystem && cd filesystem\n");
        FILESYSTEM_PATH.forEach(name -> script.append(step("filesystem/" + name, blocks.get(name))));
        script.append(")\n");
        S3CMD_PATH.forEach(name -> script.append(step(name, blocks.get(name))));
        Files.writeString(work.resolve("runbook.sh"), script);

        try {
            long started = System.nanoTime();
            Map<String, String> out = bash(work, env, "runbook.sh");
            System.out.printf("RunbookTest: the runbook's commands ran in %d ms (AWS CLI %s)%n",
                    (System.nanoTime() - started) / 1_000_000, aws ? "too" : "not installed: s3cmd only");

            String day = out.get("pick").lines().filter(l -> l.startsWith("newest complete backup: ")).findFirst().orElseThrow()
                    .substring("newest complete backup: ".length());
            assertThat(day).matches("s3://" + bucket + "/" + prefix + "/shop/\\d{4}/\\d{2}/\\d{2}/" + newest);
            assertThat(out.get("s3cmd-find")).doesNotContain("2099");
            List<String> candidates = out.get("pick").lines().filter(l -> l.matches("\\d{4}-.* [0-9a-f-]{36}")).toList();
            assertThat(candidates).as("the newest day's backups, oldest first").isNotEmpty();
            assertThat(candidates.get(candidates.size() - 1)).endsWith(" " + newest);
            if (candidates.stream().anyMatch(l -> l.endsWith(older))) {
                assertThat(candidates.indexOf(candidates.stream().filter(l -> l.endsWith(older)).findFirst().orElseThrow()))
                        .isLessThan(candidates.size() - 1);
            }
            assertThat(out.get("filesystem/filesystem-find")).contains("newest complete backup: "
                    + BackupTest.LOCAL_ROOT.toAbsolutePath().resolve("shop") + "/").contains(newest + "\n");
            assertThat(out.get("filesystem/check")).contains("dump.pgc.zst.age: OK").contains("globals.sql.age: OK");
            assertThat(out.get("check")).contains("dump.pgc.zst.age: OK").contains("globals.sql.age: OK");
            assertThat(out.get("decrypt")).startsWith("zstd").contains("Dumped by pg_dump version: 15.").contains("Compression: 0");

            // The roles file: the owner's role is in it, without a password; every error of the dry run is a role that exists here.
            String roles = Files.readString(work.resolve(newest).resolve("globals.sql"));
            assertThat(roles).contains("CREATE ROLE " + TargetDbs.ROLE + ";").doesNotContain(TargetDbs.PASSWORD).doesNotContain("PASSWORD 'SCRAM");
            assertThat(out.get("roles-dry-run")).contains("ERROR:  role \"" + TargetDbs.ROLE + "\" already exists");
            assertThat(out.get("roles-dry-run").lines().filter(l -> l.contains("ERROR")))
                    .allMatch(l -> l.matches(".*ERROR:  role \".*\" already exists"));

            // The restored database: counts as the manifest says (the runbook's check, and again here), owned by the application's role.
            JsonNode manifest = json.readTree(BackupTest.s3Get(bucket, day.substring(("s3://" + bucket + "/").length()) + "/manifest.json"));
            Map<String, Long> expected = new TreeMap<>();
            manifest.get("rowCounts").fields().forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asLong()));
            assertThat(expected).containsEntry("public.accounts", 1500L);
            List<String> countLines = out.get("row-counts").lines().toList();
            assertThat(countLines).filteredOn(l -> l.startsWith("ok ")).hasSize(expected.size());
            assertThat(countLines).noneMatch(l -> l.startsWith("DIFF"));
            assertThat(countLines).contains("large objects: 1");
            assertThat(PgTestDb.countRows(newdb, expected.keySet())).isEqualTo(expected);
            assertThat(PgTestDb.count(newdb, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = 'public' AND c.relowner <> '" + TargetDbs.ROLE + "'::regrole")).isZero();
            assertThat(PgTestDb.count(newdb, "SELECT last_value FROM invoice_no")).isEqualTo(1234);

            if (aws) { // both CLIs found the same backup and fetched the same, intact files
                assertThat(out.get("aws/pick")).contains("newest complete backup: " + day);
                for (String name : List.of("manifest.json", "dump.pgc.zst.age", "globals.sql.age")) {
                    assertThat(work.resolve("aws-cli").resolve(newest).resolve(name)).hasSameBinaryContentAs(work.resolve(newest).resolve(name));
                }
            }
        } finally {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + newdb + " WITH (FORCE)");
            S3TestResource.server().admin().deleteObject(b -> b.bucket(bucket).key(incomplete));
        }
    }

    /** The runbook's blocks marked {@code <!-- runbook-test: NAME -->}, by name. */
    static Map<String, String> runbookBlocks() throws Exception {
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = BLOCK.matcher(Files.readString(RUNBOOK));
        while (m.find()) {
            assertThat(blocks.put(m.group(1), m.group(2))).as("block name " + m.group(1) + " is used once").isNull();
        }
        return blocks;
    }

    private static String step(String label, String block) {
        return "echo '@@step " + label + "'\n" + block + "\n";
    }

    private static boolean installed(String tool) throws Exception {
        return new ProcessBuilder("bash", "-c", "command -v " + tool).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
    }

    private static void writePrivate(Path file, String content) throws Exception {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content);
    }

    /** Runs a script with bash in {@code dir}; fails with its whole output unless it exits 0; returns the output of each step. */
    private static Map<String, String> bash(Path dir, Map<String, String> env, String script) throws Exception {
        Path log = dir.resolve(script + ".log");
        ProcessBuilder pb = new ProcessBuilder("bash", script).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().remove("AWS_PROFILE");
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("the runbook's commands did not finish in 5 minutes:\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        assertThat(p.exitValue()).as("the runbook's commands failed:\n" + out).isZero();
        System.out.println(out);
        Map<String, String> steps = new LinkedHashMap<>();
        String current = "";
        StringBuilder text = new StringBuilder();
        for (String line : out.split("\n", -1)) {
            if (line.startsWith("@@step ")) {
                steps.merge(current, text.toString(), String::concat);
                current = line.substring("@@step ".length());
                text.setLength(0);
            } else {
                text.append(line).append('\n');
            }
        }
        steps.merge(current, text.toString(), String::concat);
        return steps;
    }
}
