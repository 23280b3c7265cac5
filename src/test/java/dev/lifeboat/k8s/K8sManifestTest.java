package dev.lifeboat.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the Kubernetes manifests (k8s/, base and overlays) and the Dockerfile against each other,
 * against the application's configuration and against the committed OpenAPI document. A plain
 * JUnit test: no Quarkus, no database, no cluster, no kustomize. It parses every YAML document under
 * k8s/ with Jackson and follows kustomize's rules only as far as the overlays here need (a strategic
 * merge patch of env lists, {@code $patch: delete}).
 */
class K8sManifestTest {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path K8S = ROOT.resolve("k8s");
    static final Path BASE = K8S.resolve("base");
    static final Path MASTODON = K8S.resolve("overlays/mastodon");
    static final Path DOCKERFILE = ROOT.resolve("src/main/docker/Dockerfile.jvm");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Metrics the PrometheusRule may use before the Java code has them (they come with issue #5). */

    record Doc(Path file, int index, JsonNode node) {
        String kind() { return node.path("kind").asText(""); }
        String name() { return node.path("metadata").path("name").asText(""); }
        String where() { return ROOT.relativize(file) + " document " + index + " (" + kind() + " " + name() + ")"; }
    }

    static List<Doc> docs;
    static Properties appProps;

    @BeforeAll
    static void load() throws IOException {
        assertThat(K8S).isDirectory();
        docs = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(K8S)) {
            files = s.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted().toList();
        }
        for (Path f : files) {
            try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(f.toFile())) {
                int i = 0;
                while (it.hasNextValue()) {
                    JsonNode n = it.nextValue();
                    i++;
                    // A document of comments only (e.g. the header of secret-example.yaml) is empty.
                    if (n == null || n.isNull() || n.isMissingNode() || (n.isObject() && n.isEmpty())) continue;
                    docs.add(new Doc(f, i, n));
                }
            }
        }
        assertThat(files).as("YAML files under k8s/").isNotEmpty();
        appProps = new Properties();
        appProps.load(new StringReader(Files.readString(ROOT.resolve("src/main/resources/application.properties"))));
    }

    // ---------------------------------------------------------------- every document

    @Test
    void everyDocumentHasApiVersionKindAndName() {
        for (Doc d : docs) {
            assertThat(d.node().isObject()).as(d.where() + " is a mapping").isTrue();
            assertThat(d.node().path("apiVersion").asText("")).as(d.where() + ": apiVersion").isNotBlank();
            assertThat(d.kind()).as(d.where() + ": kind").isNotBlank();
            assertThat(d.name()).as(d.where() + ": metadata.name").isNotBlank();
        }
    }

    @Test
    void theBaseHasEveryPartOfTheDeployment() {
        Map<String, Long> kinds = docsUnder(BASE).stream().collect(Collectors.groupingBy(Doc::kind, Collectors.counting()));
        assertThat(kinds).containsKeys("Namespace", "ServiceAccount", "ConfigMap", "Secret", "Deployment", "Service",
                "PodDisruptionBudget", "NetworkPolicy", "CronJob", "PrometheusRule", "Kustomization");
        assertThat(kinds.get("CronJob")).as("a backup and a drill CronJob").isEqualTo(2L);
    }

    // ---------------------------------------------------------------- kustomize

    @Test
    void everyFileAKustomizationListsExistsAndEveryManifestIsListed() {
        List<Doc> kustomizations = docs.stream().filter(d -> d.kind().equals("Kustomization")).toList();
        assertThat(kustomizations.stream().map(d -> ROOT.relativize(d.file()).toString()))
                .contains("k8s/kustomization.yaml", "k8s/base/kustomization.yaml", "k8s/overlays/mastodon/kustomization.yaml");
        for (Doc k : kustomizations) {
            Path dir = k.file().getParent();
            Set<Path> listed = new LinkedHashSet<>();
            for (String field : List.of("resources", "components", "patchesStrategicMerge")) {
                for (JsonNode e : k.node().path(field)) listed.add(dir.resolve(e.asText()).normalize());
            }
            for (JsonNode p : k.node().path("patches")) {
                if (p.has("path")) listed.add(dir.resolve(p.path("path").asText()).normalize());
            }
            assertThat(listed).as(k.where() + " lists something").isNotEmpty();
            for (Path p : listed) {
                if (Files.isDirectory(p)) {
                    assertThat(p.resolve("kustomization.yaml")).as(k.where() + ": directory " + p + " is a kustomization").isRegularFile();
                } else {
                    assertThat(p).as(k.where() + " lists " + ROOT.relativize(p)).isRegularFile();
                }
            }
            // Nothing in the kustomization's own directory is left out (it would silently not be applied).
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> unlisted = s.filter(f -> f.toString().endsWith(".yaml") && !f.equals(k.file()))
                        .filter(f -> !listed.contains(f.normalize())).toList();
                assertThat(unlisted).as(k.where() + ": YAML files it does not list").isEmpty();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    // ---------------------------------------------------------------- the CronJobs' API calls

    /** {@code call METHOD PATH} and {@code start_job METHOD PATH JSON WHAT} in the scripts. */
    static final Pattern API_CALL = Pattern.compile(
            "\\b(call|start_job)\\s+(GET|POST|PUT|DELETE|PATCH)\\s+\"?(/api/[^\"\\s]*)\"?(?:\\s+\"\\$\\(jq -cn[^']*'([^']*)')?");

    @Test
    void theCronJobScriptsCallOnlyOperationsOfTheOpenApiDocument() throws IOException {
        JsonNode openapi = YAML.readTree(ROOT.resolve("openapi/lifeboat.yaml").toFile());
        JsonNode paths = openapi.path("paths");
        assertThat(paths.size()).as("paths in openapi/lifeboat.yaml").isGreaterThan(5);

        Set<String> called = new TreeSet<>();
        Map<String, String> scripts = scripts();
        assertThat(scripts).as("scripts of the CronJobs").containsKeys("lib.sh", "nightly-backup.sh", "weekly-drill.sh");
        for (var script : scripts.entrySet()) {
            String text = script.getValue();
            Matcher m = API_CALL.matcher(text);
            int checked = 0;
            while (m.find()) {
                checked++;
                String how = script.getKey() + ": " + m.group();
                String method = m.group(2).toLowerCase();
                String[] pathAndQuery = m.group(3).split("\\?", 2);
                String template = matchTemplate(paths, pathAndQuery[0]);
                assertThat(template).as(how + ": path not in openapi/lifeboat.yaml").isNotNull();
                JsonNode op = paths.path(template).path(method);
                assertThat(op.isObject()).as(how + ": openapi has no " + method.toUpperCase() + " " + template).isTrue();
                if (pathAndQuery.length > 1) {
                    for (String param : pathAndQuery[1].split("&")) {
                        String name = param.split("=", 2)[0];
                        assertThat(parameter(op, name, "query")).as(how + ": query parameter " + name).isPresent();
                    }
                }
                if (m.group(1).equals("start_job")) {
                    // start_job sends JSON with an Idempotency-Key and waits for 202.
                    assertThat(parameter(op, "Idempotency-Key", "header")).as(how + ": Idempotency-Key header").isPresent();
                    assertThat(op.path("responses").has("202")).as(how + ": the script waits for 202").isTrue();
                    String jq = m.group(4);
                    assertThat(jq).as(how + ": request body built with jq -cn '{…}'").isNotNull();
                    JsonNode schema = resolve(openapi, op.path("requestBody").path("content").path("application/json").path("schema"));
                    Matcher field = Pattern.compile("(\\w+)\\s*:").matcher(jq);
                    while (field.find()) {
                        assertThat(schema.path("properties").has(field.group(1)))
                                .as(how + ": request field " + field.group(1) + " (unknown fields are a 400)").isTrue();
                    }
                } else {
                    assertThat(method).as(how).isEqualTo("get");
                    assertThat(op.path("responses").has("200")).as(how + ": the script expects 200").isTrue();
                }
                called.add(method.toUpperCase() + " " + template);
            }
            // Every API path in a script goes through call/start_job, so none escapes this check.
            int mentioned = count(text, "/api/");
            assertThat(checked).as(script.getKey() + ": /api/ paths outside `call METHOD PATH` / `start_job METHOD PATH`").isEqualTo(mentioned);
        }
        assertThat(called).containsExactlyInAnyOrder("POST /api/v1/backups", "POST /api/v1/drills", "GET /api/v1/jobs/{id}");
        assertThat(scripts.get("weekly-drill.sh")).as("the drill script insists on result.passed").contains(".result.passed");
    }

    @Test
    void eachCronJobRunsAScriptThatIsMountedAndATargetThatIsConfigured() {
        for (Path dir : List.of(BASE, MASTODON)) {
            Properties props = applicationProperties(dir);
            for (Doc cron : kind(BASE, "CronJob")) {
                JsonNode pod = cron.node().path("spec").path("jobTemplate").path("spec").path("template").path("spec");
                JsonNode c = pod.path("containers").path(0);
                String command = String.join(" ", texts(c.path("command")));
                Matcher m = Pattern.compile("(/\\S+)/([\\w.-]+\\.sh)").matcher(command);
                assertThat(m.find()).as(cron.where() + ": runs a script").isTrue();
                JsonNode mount = find(c.path("volumeMounts"), "mountPath", m.group(1));
                assertThat(mount).as(cron.where() + ": " + m.group(1) + " is mounted").isNotNull();
                JsonNode volume = find(pod.path("volumes"), "name", mount.path("name").asText());
                String cm = volume.path("configMap").path("name").asText();
                Doc scripts = kind(BASE, "ConfigMap").stream().filter(d -> d.name().equals(cm)).findFirst().orElseThrow();
                assertThat(scripts.node().path("data").has(m.group(2))).as(cron.where() + ": " + cm + " has " + m.group(2)).isTrue();

                String target = cronTarget(dir, cron);
                assertThat(props.getProperty("lifeboat.targets." + target + ".database"))
                        .as(ROOT.relativize(dir) + ": " + cron.name() + " targets '" + target + "', a configured target").isNotBlank();
                // The token the CronJob mounts is one whose hash the config knows, with a role that may POST.
                String secret = find(pod.path("volumes"), "name", "token").path("secret").path("secretName").asText();
                assertThat(secret).isEqualTo("lifeboat-cron-token");
            }
        }
    }

    @Test
    void theExampleCronTokenMatchesTheConfiguredHashAndRole() throws Exception {
        JsonNode token = secret("lifeboat-cron-token").path("stringData").path("token");
        JsonNode env = secret("lifeboat-secrets").path("stringData");
        String hash = "sha256:" + HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(token.asText().getBytes(StandardCharsets.UTF_8)));
        Properties props = applicationProperties(BASE);
        String tokenName = props.stringPropertyNames().stream()
                .filter(k -> k.matches("lifeboat\\.auth\\.tokens\\.[^.]+\\.hash") && props.getProperty(k).equals("${LIFEBOAT_CRON_TOKEN_HASH}"))
                .map(k -> k.split("\\.")[3]).findFirst().orElseThrow(() -> new AssertionError("no token hash is ${LIFEBOAT_CRON_TOKEN_HASH}"));
        assertThat(env.path("LIFEBOAT_CRON_TOKEN_HASH").asText()).isEqualTo(hash);
        assertThat(props.getProperty("lifeboat.auth.tokens." + tokenName + ".role")).as("starting backups and drills needs operator").isIn("operator", "admin");
    }

    // ---------------------------------------------------------------- the Deployment

    @Test
    void theDeploymentMatchesTheApplication() {
        int port = Integer.parseInt(appProps.getProperty("quarkus.http.port", "8080"));
        String q = "/" + stripSlashes(appProps.getProperty("quarkus.http.non-application-root-path", "q"));
        String health = q + "/" + stripSlashes(appProps.getProperty("quarkus.smallrye-health.root-path", "health"));
        String ready = health + "/" + stripSlashes(appProps.getProperty("quarkus.smallrye-health.readiness-path", "ready"));
        String live = health + "/" + stripSlashes(appProps.getProperty("quarkus.smallrye-health.liveness-path", "live"));
        assertThat(ready).isEqualTo("/q/health/ready");
        assertThat(live).isEqualTo("/q/health/live");

        Doc deployment = one(BASE, "Deployment");
        JsonNode spec = deployment.node().path("spec");
        assertThat(spec.path("replicas").asInt()).isEqualTo(2);
        JsonNode pod = spec.path("template").path("spec");
        JsonNode c = lifeboatContainer(pod);
        JsonNode http = find(c.path("ports"), "containerPort", null);
        assertThat(c.path("ports").size()).isEqualTo(1);
        assertThat(http.path("containerPort").asInt()).as("containerPort").isEqualTo(port);

        for (var probe : Map.of("readinessProbe", ready, "livenessProbe", live).entrySet()) {
            JsonNode get = c.path(probe.getKey()).path("httpGet");
            assertThat(get.path("path").asText()).as(probe.getKey() + " path").isEqualTo(probe.getValue());
            assertThat(resolvePort(c, get.path("port"))).as(probe.getKey() + " port").isEqualTo(port);
        }
        if (c.has("startupProbe")) {
            JsonNode get = c.path("startupProbe").path("httpGet");
            assertThat(get.path("path").asText()).as("startupProbe path").isIn(ready, live);
            assertThat(resolvePort(c, get.path("port"))).as("startupProbe port").isEqualTo(port);
        }
        assertThat(c.path("resources").path("requests").path("memory").asText()).as("memory request").isNotBlank();
        assertThat(c.path("resources").path("limits").path("memory").asText()).as("memory limit").isNotBlank();

        // The Service, the NetworkPolicy and the scrape annotations reach the same port.
        JsonNode svcPort = one(BASE, "Service").node().path("spec").path("ports").path(0);
        assertThat(resolvePort(c, svcPort.path("targetPort"))).as("Service targetPort").isEqualTo(port);
        List<Integer> ingressPorts = new ArrayList<>();
        for (JsonNode rule : one(BASE, "NetworkPolicy").node().path("spec").path("ingress")) {
            for (JsonNode p : rule.path("ports")) ingressPorts.add(resolvePort(c, p.path("port")));
        }
        assertThat(ingressPorts).as("NetworkPolicy ingress ports").containsExactly(port);
        JsonNode annotations = spec.path("template").path("metadata").path("annotations");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(String.valueOf(port));
        assertThat(annotations.path("prometheus.io/path").asText())
                .isEqualTo(appProps.getProperty("quarkus.micrometer.export.prometheus.path", "/q/metrics"));

        // The PodDisruptionBudget and the Service select the Deployment's pods.
        JsonNode labels = spec.path("template").path("metadata").path("labels");
        assertSelects(one(BASE, "PodDisruptionBudget").node().path("spec").path("selector").path("matchLabels"), labels, "PodDisruptionBudget");
        assertSelects(one(BASE, "Service").node().path("spec").path("selector"), labels, "Service");
        assertSelects(one(BASE, "NetworkPolicy").node().path("spec").path("podSelector").path("matchLabels"), labels, "NetworkPolicy");
    }

    @Test
    void theDeploymentRunsAsNonRootOnAReadOnlyRootFilesystem() throws IOException {
        JsonNode pod = one(BASE, "Deployment").node().path("spec").path("template").path("spec");
        JsonNode c = lifeboatContainer(pod);
        boolean nonRoot = pod.path("securityContext").path("runAsNonRoot").asBoolean(false)
                || c.path("securityContext").path("runAsNonRoot").asBoolean(false);
        assertThat(nonRoot).as("runAsNonRoot").isTrue();
        assertThat(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean(false)).as("readOnlyRootFilesystem").isTrue();
        assertThat(c.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).as("allowPrivilegeEscalation").isFalse();
        // The uid the pod runs as is the image's user.
        String user = dockerfileInstruction("USER").orElseThrow();
        assertThat(pod.path("securityContext").path("runAsUser").asText()).isEqualTo(user);
    }

    @Test
    void anEmptyDirIsMountedWhereTheTempDirAndTheScratchDirAre() throws IOException {
        JsonNode pod = one(BASE, "Deployment").node().path("spec").path("template").path("spec");
        JsonNode c = lifeboatContainer(pod);
        List<String> emptyDirMounts = new ArrayList<>();
        for (JsonNode m : c.path("volumeMounts")) {
            JsonNode v = find(pod.path("volumes"), "name", m.path("name").asText());
            assertThat(v).as("volume of mount " + m).isNotNull();
            if (v.has("emptyDir")) emptyDirMounts.add(m.path("mountPath").asText());
        }
        assertThat(emptyDirMounts).as("emptyDir mounts").isNotEmpty();

        // java.io.tmpdir: the container's env may override the image's JAVA_OPTS*; the JVM's default is /tmp.
        Pattern tmpdir = Pattern.compile("-Djava\\.io\\.tmpdir=([^\\s\"]+)");
        String tmp = null;
        for (JsonNode e : c.path("env")) {
            Matcher m = tmpdir.matcher(e.path("value").asText(""));
            if (m.find()) tmp = m.group(1);
        }
        if (tmp == null) {
            Matcher m = tmpdir.matcher(dockerfile());
            tmp = m.find() ? m.group(1) : "/tmp";
        }
        assertThat(under(tmp, emptyDirMounts)).as("java.io.tmpdir " + tmp + " is on an emptyDir " + emptyDirMounts).isTrue();

        for (Path dir : List.of(BASE, MASTODON)) {
            Properties props = applicationProperties(dir);
            String scratch = props.getProperty("lifeboat.backup.scratch-dir", tmp);
            assertThat(under(scratch, emptyDirMounts)).as(ROOT.relativize(dir) + ": lifeboat.backup.scratch-dir " + scratch + " is on an emptyDir").isTrue();
            String identity = props.getProperty("lifeboat.encryption.identity-file");
            if (identity != null) {
                List<String> mounts = texts(c.path("volumeMounts"), "mountPath");
                assertThat(under(identity, mounts)).as(ROOT.relativize(dir) + ": identity-file " + identity + " is on a mounted volume").isTrue();
            }
        }
    }

    @Test
    void everyEnvReferenceOfTheConfigurationIsAnEnvVarOfThePod() {
        Pattern ref = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:[^}]*)?}");
        JsonNode c = lifeboatContainer(one(BASE, "Deployment").node().path("spec").path("template").path("spec"));
        Set<String> baseEnv = new TreeSet<>(texts(c.path("env"), "name"));
        for (Path dir : List.of(BASE, MASTODON)) {
            Set<String> env = new TreeSet<>(baseEnv);
            if (dir.equals(MASTODON)) {
                for (Doc patch : kind(MASTODON, "Deployment")) {
                    for (JsonNode e : lifeboatContainer(patch.node().path("spec").path("template").path("spec")).path("env")) {
                        if (e.path("$patch").asText().equals("delete")) env.remove(e.path("name").asText());
                        else env.add(e.path("name").asText());
                    }
                }
                assertThat(env).contains("MASTODON_DB_PASSWORD").doesNotContain("APP_DB_PASSWORD");
            }
            Properties props = applicationProperties(dir);
            for (String key : props.stringPropertyNames()) {
                Matcher m = ref.matcher(props.getProperty(key));
                while (m.find()) {
                    if (m.group(2) != null) continue; // has a fallback
                    assertThat(env).as(ROOT.relativize(dir) + ": " + key + " references ${" + m.group(1) + "}").contains(m.group(1));
                }
            }
        }
    }

    // ---------------------------------------------------------------- the Mastodon overlay

    @Test
    void theMastodonOverlayKeepsTheBaseConfigurationAndTakesMastodonsSecret() {
        Properties base = applicationProperties(BASE);
        Properties mastodon = applicationProperties(MASTODON);
        for (String key : base.stringPropertyNames()) {
            if (key.startsWith("lifeboat.targets.")) continue;
            assertThat(mastodon.getProperty(key)).as("overlay keeps " + key).isEqualTo(base.getProperty(key));
        }
        assertThat(mastodon.getProperty("lifeboat.targets.mastodon.database")).isEqualTo("mastodon_production");
        assertThat(mastodon.getProperty("lifeboat.targets.mastodon.password")).isEqualTo("${MASTODON_DB_PASSWORD}");
        assertThat(mastodon.getProperty("lifeboat.targets.mastodon.profile")).isEqualTo("mastodon");
        assertThat(mastodon.stringPropertyNames()).noneMatch(k -> k.startsWith("lifeboat.targets.app."));

        JsonNode env = lifeboatContainer(one(MASTODON, "Deployment").node().path("spec").path("template").path("spec")).path("env");
        JsonNode ref = find(env, "name", "MASTODON_DB_PASSWORD").path("valueFrom").path("secretKeyRef");
        assertThat(ref.path("name").asText()).isEqualTo("mastodon-postgresql");
        assertThat(ref.path("key").asText()).isEqualTo("password");
        for (Doc cron : kind(BASE, "CronJob")) assertThat(cronTarget(MASTODON, cron)).isEqualTo("mastodon");
    }

    // ---------------------------------------------------------------- alerts

    @Test
    void thePrometheusRuleAlertsOnMetricsTheApplicationHasOrWillHave() throws IOException {
        Doc rule = one(BASE, "PrometheusRule");
        Set<String> alerts = new TreeSet<>();
        Set<String> metrics = new TreeSet<>();
        for (JsonNode group : rule.node().path("spec").path("groups")) {
            for (JsonNode r : group.path("rules")) {
                alerts.add(r.path("alert").asText());
                Matcher m = Pattern.compile("\\blifeboat_[a-z_]+").matcher(r.path("expr").asText());
                while (m.find()) metrics.add(m.group());
            }
        }
        assertThat(alerts).doesNotContain("");
        assertThat(metrics).contains("lifeboat_backup_last_success_timestamp_seconds", "lifeboat_drill_last_success_timestamp_seconds",
                "lifeboat_drill_passed", "lifeboat_backup_anomalies_total");
        String java;
        try (Stream<Path> s = Files.walk(ROOT.resolve("src/main/java"))) {
            java = s.filter(p -> p.toString().endsWith(".java")).map(p -> {
                try { return Files.readString(p); } catch (IOException e) { throw new AssertionError(e); }
            }).collect(Collectors.joining("\n"));
        }
        for (String metric : metrics) {
            String micrometer = metric.replaceAll("_total$", "").replace('_', '.');
            assertThat(java.contains("\"" + metric + "\"") || java.contains("\"" + micrometer + "\""))
                    .as("metric " + metric + " is registered in src/main/java").isTrue();
        }
    }

    // ---------------------------------------------------------------- the image

    @Test
    void theDockerfileExposesTheApplicationsPortAndRunsAsNonRoot() throws IOException {
        assertThat(DOCKERFILE).isRegularFile();
        int port = Integer.parseInt(appProps.getProperty("quarkus.http.port", "8080"));
        assertThat(dockerfileInstruction("EXPOSE")).as("EXPOSE").contains(String.valueOf(port));
        String user = dockerfileInstruction("USER").orElseThrow(() -> new AssertionError("no USER"));
        assertThat(user).isNotIn("0", "root").matches("\\d+");
        String from = dockerfileInstruction("FROM").orElseThrow();
        assertThat(from).containsPattern("17");
        String text = dockerfile();
        for (String part : List.of("target/quarkus-app/lib/", "target/quarkus-app/*.jar", "target/quarkus-app/app/", "target/quarkus-app/quarkus/")) {
            assertThat(text).as("copies " + part).contains("COPY --chown=" + user + ":" + user + " " + part);
        }
        assertThat(text).contains("apt.postgresql.org").contains("postgresql-client-$v").contains("WORKDIR /deployments");
        for (int major = 13; major <= 17; major++) assertThat(text).contains(String.valueOf(major));
        assertThat(text).as("no secrets baked in").doesNotContainPattern("(?im)^\\s*(ENV|ARG)\\b.*(PASSWORD|TOKEN|SECRET)");
    }

    // ---------------------------------------------------------------- helpers

    static List<Doc> docsUnder(Path dir) {
        return docs.stream().filter(d -> d.file().getParent().equals(dir)).toList();
    }

    static List<Doc> kind(Path dir, String kind) {
        return docsUnder(dir).stream().filter(d -> d.kind().equals(kind)).toList();
    }

    static Doc one(Path dir, String kind) {
        List<Doc> found = kind(dir, kind);
        assertThat(found).as(kind + " in " + ROOT.relativize(dir)).hasSize(1);
        return found.get(0);
    }

    static JsonNode secret(String name) {
        return kind(BASE, "Secret").stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no Secret " + name)).node();
    }

    static Map<String, String> scripts() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Doc d : docs) {
            if (!d.kind().equals("ConfigMap")) continue;
            d.node().path("data").fields().forEachRemaining(e -> {
                if (e.getKey().endsWith(".sh")) out.put(e.getKey(), e.getValue().asText());
            });
        }
        return out;
    }

    /** The application.properties of the ConfigMap lifeboat-config as the kustomization in dir makes it. */
    static Properties applicationProperties(Path dir) {
        Optional<Doc> here = kind(dir, "ConfigMap").stream().filter(d -> d.name().equals("lifeboat-config")).findFirst();
        Doc cm = here.orElseGet(() -> kind(BASE, "ConfigMap").stream().filter(d -> d.name().equals("lifeboat-config")).findFirst().orElseThrow());
        String text = cm.node().path("data").path("application.properties").asText();
        assertThat(text).as(cm.where() + ": application.properties").isNotBlank();
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return p;
    }

    /** LIFEBOAT_TARGET of a base CronJob, as patched by the kustomization in dir. */
    static String cronTarget(Path dir, Doc baseCron) {
        Doc cron = kind(dir, "CronJob").stream().filter(d -> d.name().equals(baseCron.name())).findFirst().orElse(baseCron);
        JsonNode c = cron.node().path("spec").path("jobTemplate").path("spec").path("template").path("spec").path("containers").path(0);
        JsonNode e = find(c.path("env"), "name", "LIFEBOAT_TARGET");
        assertThat(e).as(cron.where() + ": LIFEBOAT_TARGET").isNotNull();
        return e.path("value").asText();
    }

    static JsonNode lifeboatContainer(JsonNode podSpec) {
        JsonNode c = find(podSpec.path("containers"), "name", "lifeboat");
        assertThat(c).as("container lifeboat").isNotNull();
        return c;
    }

    /** The element of array with field == value; with value null, the only element. */
    static JsonNode find(JsonNode array, String field, String value) {
        if (value == null) return array.size() == 1 ? array.get(0) : null;
        for (JsonNode n : array) if (n.path(field).asText().equals(value)) return n;
        return null;
    }

    static int resolvePort(JsonNode container, JsonNode port) {
        if (port.isInt()) return port.asInt();
        JsonNode named = find(container.path("ports"), "name", port.asText());
        assertThat(named).as("named port " + port.asText()).isNotNull();
        return named.path("containerPort").asInt();
    }

    static void assertSelects(JsonNode selector, JsonNode labels, String what) {
        assertThat(selector.size()).as(what + " selector").isPositive();
        selector.fields().forEachRemaining(e -> assertThat(labels.path(e.getKey()).asText()).as(what + " selects " + e.getKey()).isEqualTo(e.getValue().asText()));
    }

    static String matchTemplate(JsonNode paths, String path) {
        String[] segs = path.split("/");
        for (var it = paths.fieldNames(); it.hasNext(); ) {
            String t = it.next();
            String[] tsegs = t.split("/");
            if (tsegs.length != segs.length) continue;
            boolean ok = true;
            for (int i = 0; i < segs.length && ok; i++) {
                boolean param = tsegs[i].startsWith("{") && tsegs[i].endsWith("}");
                ok = param ? segs[i].startsWith("$") || !segs[i].isEmpty() : tsegs[i].equals(segs[i]);
                // A shell variable may stand only for a path parameter.
                if (!param && segs[i].startsWith("$")) ok = false;
            }
            if (ok) return t;
        }
        return null;
    }

    static Optional<JsonNode> parameter(JsonNode op, String name, String in) {
        for (JsonNode p : op.path("parameters")) {
            if (p.path("name").asText().equals(name) && p.path("in").asText().equals(in)) return Optional.of(p);
        }
        return Optional.empty();
    }

    static JsonNode resolve(JsonNode openapi, JsonNode schema) {
        String ref = schema.path("$ref").asText("");
        if (ref.startsWith("#/")) {
            JsonNode n = openapi;
            for (String part : ref.substring(2).split("/")) n = n.path(part);
            return n;
        }
        return schema;
    }

    static String dockerfile() throws IOException {
        return Files.readString(DOCKERFILE);
    }

    /** The arguments of the last instruction of that name (continuation lines joined). */
    static Optional<String> dockerfileInstruction(String name) throws IOException {
        String joined = dockerfile().replaceAll("\\\\\\r?\\n", " ");
        String last = null;
        for (String line : joined.split("\\r?\\n")) {
            String l = line.strip();
            if (l.regionMatches(true, 0, name + " ", 0, name.length() + 1)) last = l.substring(name.length()).strip();
        }
        return Optional.ofNullable(last);
    }

    static boolean under(String path, List<String> dirs) {
        Path p = Path.of(path).normalize();
        return dirs.stream().anyMatch(d -> p.startsWith(Path.of(d).normalize()));
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) out.add(n.asText());
        return out;
    }

    static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) out.add(n.path(field).asText());
        return out;
    }

    static String stripSlashes(String s) {
        return s.replaceAll("^/+|/+$", "");
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }
}
