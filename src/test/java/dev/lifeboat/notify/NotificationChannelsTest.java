package dev.lifeboat.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.config.ConfigProblems;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.JobOutcome;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each channel's request, sent to {@link FakeServices}, which checks it as the real service would: plain
 * JUnit, no Quarkus, no database. Also: what is retried and what gives up, and that no error shows a
 * token or a secret URL. (Email needs Quarkus Mailer: {@link ChannelsEndToEndTest}.)
 */
class NotificationChannelsTest {
    static FakeServices fake;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        fake = new FakeServices();
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    @BeforeEach
    void reset() {
        fake.reset();
    }

    static LifeboatConfig config(Map<String, String> props) {
        Map<String, String> p = new HashMap<>(props);
        p.putIfAbsent("lifeboat.notifications.timeout", "5s");
        return new SmallRyeConfigBuilder().withMapping(LifeboatConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withConverter(io.quarkus.runtime.configuration.MemorySize.class, 100, new io.quarkus.runtime.configuration.MemorySizeConverter())
                .withSources(new PropertiesConfigSource(p, "test", 500)).build().getConfigMapping(LifeboatConfig.class);
    }

    static HttpDelivery http(LifeboatConfig config) {
        HttpDelivery http = new HttpDelivery();
        http.config = config;
        http.init();
        return http;
    }

    static Notice notice(String channel, String name, NotificationEvent event, List<String> warnings) {
        NotifyArgs args = NotifyArgs.of(channel, name, event.id(), UUID.randomUUID(), warnings == null ? null : UUID.randomUUID(), warnings, null);
        String message = warnings == null ? "Lifeboat: the backup of mastodon failed: connection refused"
                : "Lifeboat: the backup of mastodon failed: it looks wrong: " + String.join("; ", warnings);
        return new Notice(event, args, null, NotifyHandler.title(event, null, args), message, UUID.randomUUID(), Instant.now());
    }

    static Notice failed(String channel, String name) {
        return notice(channel, name, NotificationEvent.JOB_FAILED, null);
    }

    static String error(JobOutcome<?> outcome) {
        return outcome instanceof JobOutcome.Retry<?> r ? r.error() : outcome instanceof JobOutcome.GiveUp<?> g ? g.error() : null;
    }

    /** A port nothing listens on. */
    static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void assertNoSecret(String text) {
        for (String secret : FakeServices.SECRETS) {
            assertThat(text).doesNotContain(secret);
        }
    }

    @Nested
    class Slack {
        SlackChannel channel(String url) {
            SlackChannel c = new SlackChannel();
            c.config = config(Map.of("lifeboat.notifications.slack.ops.url", url));
            c.http = http(c.config);
            c.json = JSON;
            return c;
        }

        @Test
        void postsTextWithSlacksControlCharactersEscaped() throws Exception {
            Notice notice = notice("slack", "ops", NotificationEvent.ANOMALY_DETECTED, List.of("table <!channel> & friends lost 10 % of its rows"));
            JobOutcome<NotifyResult> outcome = channel(fake.slackUrl()).deliver("ops", notice);

            assertThat(fake.refused).isEmpty();
            assertThat(outcome).isInstanceOf(JobOutcome.Succeeded.class);
            assertThat(((JobOutcome.Succeeded<NotifyResult>) outcome).result()).isEqualTo(new NotifyResult(null, "anomaly.detected", "slack", "ops"));
            FakeServices.Message m = fake.of("slack").get(0);
            assertThat(m.method()).isEqualTo("POST");
            String text = JSON.readTree(m.body()).get("text").asText();
            assertThat(text).startsWith("Lifeboat: the backup of mastodon failed").contains("&lt;!channel&gt; &amp; friends")
                    .contains("Job " + notice.args().jobId());
        }

        @Test
        void aDeletedWebhookGivesUpAndTheErrorShowsOnlySchemeAndHost() throws Exception {
            JobOutcome<NotifyResult> outcome = channel(fake.base() + "/services/T0LIFEBOAT/B0LIFEBOAT/slackWebhookSecret9x7q-revoked")
                    .deliver("ops", failed("slack", "ops"));
            assertThat(outcome).isInstanceOf(JobOutcome.GiveUp.class);
            assertThat(error(outcome)).startsWith("slack ops (" + fake.base() + ") answered HTTP 404: no_service").contains("Hint:");
            assertNoSecret(error(outcome));
            assertThat(error(outcome)).doesNotContain("/services/");
        }

        @Test
        void aFailingOrUnreachableServiceIsRetried() throws Exception {
            fake.forcedStatus.set(503);
            JobOutcome<NotifyResult> failing = channel(fake.slackUrl()).deliver("ops", failed("slack", "ops"));
            assertThat(failing).isInstanceOf(JobOutcome.Retry.class);
            assertThat(error(failing)).contains("answered HTTP 503");
            fake.forcedStatus.set(429);
            assertThat(channel(fake.slackUrl()).deliver("ops", failed("slack", "ops"))).isInstanceOf(JobOutcome.Retry.class);

            String down = "http://127.0.0.1:" + closedPort() + FakeServices.SLACK_PATH;
            JobOutcome<NotifyResult> unreachable = channel(down).deliver("ops", failed("slack", "ops"));
            assertThat(unreachable).isInstanceOf(JobOutcome.Retry.class);
            assertThat(error(unreachable)).contains("could not be reached");
            assertNoSecret(error(unreachable));
        }
    }

    @Nested
    class Discord {
        DiscordChannel channel(String url) {
            DiscordChannel c = new DiscordChannel();
            c.config = config(Map.of("lifeboat.notifications.discord.ops.url", url));
            c.http = http(c.config);
            c.json = JSON;
            return c;
        }

        @Test
        void postsContentOfAtMost2000CharactersThatPingsNobody() throws Exception {
            Notice notice = notice("discord", "ops", NotificationEvent.ANOMALY_DETECTED, List.of("@everyone " + "x".repeat(3000)));
            JobOutcome<NotifyResult> outcome = channel(fake.discordUrl()).deliver("ops", notice);

            assertThat(fake.refused).isEmpty();
            assertThat(outcome).isInstanceOf(JobOutcome.Succeeded.class);
            JsonNode body = JSON.readTree(fake.of("discord").get(0).body());
            String content = body.get("content").asText();
            assertThat(content.length()).isLessThanOrEqualTo(2000);
            assertThat(content).startsWith("Lifeboat: the backup of mastodon failed").endsWith("…");
            assertThat(body.at("/allowed_mentions/parse").isArray()).isTrue();
            assertThat(body.at("/allowed_mentions/parse")).isEmpty();
            assertThat(body.get("username").asText()).isEqualTo("Lifeboat");
        }

        @Test
        void aWrongTokenGivesUpWithoutShowingIt() throws Exception {
            JobOutcome<NotifyResult> outcome = channel(fake.base() + "/api/webhooks/112233445566/discordWebhookToken5k2w-old")
                    .deliver("ops", failed("discord", "ops"));
            assertThat(outcome).isInstanceOf(JobOutcome.GiveUp.class);
            assertThat(error(outcome)).contains("answered HTTP 401").contains("Invalid Webhook Token");
            assertNoSecret(error(outcome));
        }
    }

    @Nested
    class Ntfy {
        NtfyChannel channel(Map<String, String> props) {
            NtfyChannel c = new NtfyChannel();
            c.config = config(props);
            c.http = http(c.config);
            return c;
        }

        NtfyChannel channel() {
            return channel(Map.of("lifeboat.notifications.ntfy.phone.url", fake.ntfyUrl(),
                    "lifeboat.notifications.ntfy.phone.token", FakeServices.NTFY_TOKEN));
        }

        @Test
        void publishesPlainTextWithTitlePriorityTagsAndTheToken() throws Exception {
            Notice notice = failed("ntfy", "phone");
            assertThat(channel().deliver("phone", notice)).isInstanceOf(JobOutcome.Succeeded.class);

            assertThat(fake.refused).isEmpty();
            FakeServices.Message m = fake.of("ntfy").get(0);
            assertThat(m.method()).isEqualTo("POST");
            assertThat(m.header("Content-Type")).startsWith("text/plain");
            assertThat(m.header("Title")).isEqualTo("Lifeboat: a job failed");
            assertThat(m.header("Priority")).isEqualTo("high");
            assertThat(m.header("Tags")).isEqualTo("rotating_light");
            assertThat(m.body()).startsWith("Lifeboat: the backup of mastodon failed: connection refused");
        }

        @Test
        void goodNewsIsQuieterAndAConfiguredPriorityWins() throws Exception {
            channel().deliver("phone", notice("ntfy", "phone", NotificationEvent.DRILL_PASSED, null));
            assertThat(fake.of("ntfy").get(0).header("Priority")).isEqualTo("default");
            assertThat(fake.of("ntfy").get(0).header("Tags")).isEqualTo("white_check_mark");
            channel(Map.of("lifeboat.notifications.ntfy.phone.url", fake.ntfyUrl(), "lifeboat.notifications.ntfy.phone.token", FakeServices.NTFY_TOKEN,
                    "lifeboat.notifications.ntfy.phone.priority", "urgent")).deliver("phone", failed("ntfy", "phone"));
            assertThat(fake.of("ntfy").get(1).header("Priority")).isEqualTo("urgent");
        }

        @Test
        void aWrongTokenGivesUpAndNeitherTokenNorTopicIsShown() throws Exception {
            JobOutcome<NotifyResult> outcome = channel(Map.of("lifeboat.notifications.ntfy.phone.url", fake.ntfyUrl(),
                    "lifeboat.notifications.ntfy.phone.token", "tk_wrong")).deliver("phone", failed("ntfy", "phone"));
            assertThat(outcome).isInstanceOf(JobOutcome.GiveUp.class);
            assertThat(error(outcome)).startsWith("ntfy phone (" + fake.base() + ") answered HTTP 403");
            assertNoSecret(error(outcome));
        }

        @Test
        void aLongMessageStaysAMessage() {
            assertThat(Notice.truncate("one two three four", 12)).isEqualTo("one two…");
            assertThat(Notice.truncate("😀".repeat(10), 5)).isEqualTo("😀😀😀😀…");
            String text = "é".repeat(3000);
            String cut = NtfyChannel.cut(text, NtfyChannel.MAX_BYTES);
            assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(NtfyChannel.MAX_BYTES);
            assertThat(cut).endsWith("…");
            assertThat(NtfyChannel.header("Lifeboat: backup of café failed")).isEqualTo("=?UTF-8?B?TGlmZWJvYXQ6IGJhY2t1cCBvZiBjYWbDqSBmYWlsZWQ=?=");
        }
    }

    @Nested
    class Matrix {
        MatrixChannel channel(String token) {
            MatrixChannel c = new MatrixChannel();
            c.config = config(Map.of("lifeboat.notifications.matrix.room.homeserver", fake.base() + "/",
                    "lifeboat.notifications.matrix.room.room", FakeServices.MATRIX_ROOM,
                    "lifeboat.notifications.matrix.room.access-token", token));
            c.http = http(c.config);
            c.json = JSON;
            return c;
        }

        @Test
        void putsAnMTextMessageIntoTheRoomWithTheTokenInTheHeader() throws Exception {
            Notice notice = failed("matrix", "room");
            assertThat(channel(FakeServices.MATRIX_TOKEN).deliver("room", notice)).isInstanceOf(JobOutcome.Succeeded.class);

            assertThat(fake.refused).as("no query string (access_token), nothing refused").isEmpty();
            FakeServices.Message m = fake.of("matrix").get(0);
            assertThat(m.method()).isEqualTo("PUT");
            assertThat(m.rawPath()).isEqualTo("/_matrix/client/v3/rooms/%21roomAbc123%3Amatrix.test/send/m.room.message/lifeboat-" + notice.delivery());
            JsonNode body = JSON.readTree(m.body());
            assertThat(body.get("msgtype").asText()).isEqualTo("m.text");
            assertThat(body.get("body").asText()).startsWith("Lifeboat: the backup of mastodon failed");
        }

        @Test
        void aTableNamedAtRoomDoesNotNotifyTheWholeRoom() throws Exception {
            Notice notice = notice("matrix", "room", NotificationEvent.ANOMALY_DETECTED, List.of("table public.\"@room\" lost all its rows"));
            assertThat(channel(FakeServices.MATRIX_TOKEN).deliver("room", notice)).isInstanceOf(JobOutcome.Succeeded.class);
            String body = JSON.readTree(fake.of("matrix").get(0).body()).get("body").asText();
            assertThat(body).contains("\"@\u200Broom\"").doesNotContain("@room");
        }

        @Test
        void aTokenFromASecretFileWithItsTrailingLineBreakWorks() throws Exception {
            assertThat(channel(FakeServices.MATRIX_TOKEN + "\n").deliver("room", failed("matrix", "room"))).isInstanceOf(JobOutcome.Succeeded.class);
            assertThat(fake.refused).isEmpty();
        }

        @Test
        void aRetryOfOneDeliveryIsOneMessage() throws Exception {
            Notice notice = failed("matrix", "room");
            MatrixChannel channel = channel(FakeServices.MATRIX_TOKEN);
            fake.forcedStatus.set(502);
            assertThat(channel.deliver("room", notice)).isInstanceOf(JobOutcome.Retry.class);
            fake.forcedStatus.set(0);
            assertThat(channel.deliver("room", notice)).isInstanceOf(JobOutcome.Succeeded.class);
            assertThat(channel.deliver("room", notice)).as("the answer was lost: sent again").isInstanceOf(JobOutcome.Succeeded.class);
            assertThat(fake.of("matrix")).as("one transaction id, one message").hasSize(1);
            channel.deliver("room", failed("matrix", "room"));
            assertThat(fake.of("matrix")).as("another delivery is another message").hasSize(2);
        }

        @Test
        void anUnknownTokenGivesUpWithoutShowingIt() throws Exception {
            String wrong = "syt_bWF0cml4_revokedToken000";
            MatrixChannel channel = channel(wrong);
            JobOutcome<NotifyResult> outcome = channel.deliver("room", failed("matrix", "room"));
            assertThat(outcome).isInstanceOf(JobOutcome.GiveUp.class);
            assertThat(error(outcome)).contains("answered HTTP 401").contains("M_UNKNOWN_TOKEN").doesNotContain(wrong);
            assertNoSecret(error(outcome));
        }
    }

    @Nested
    class Mastodon {
        MastodonChannel channel(Map<String, String> extra) {
            Map<String, String> p = new HashMap<>(Map.of("lifeboat.notifications.mastodon.me.instance", fake.base(),
                    "lifeboat.notifications.mastodon.me.access-token", FakeServices.MASTODON_TOKEN,
                    "lifeboat.notifications.mastodon.me.to", "@admin@example.social"));
            p.putAll(extra);
            MastodonChannel c = new MastodonChannel();
            c.config = config(p);
            c.http = http(c.config);
            return c;
        }

        Map<String, String> form(FakeServices.Message m) {
            Map<String, String> form = new HashMap<>();
            for (String pair : m.body().split("&")) {
                String[] kv = pair.split("=", 2);
                form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            }
            return form;
        }

        @Test
        void aDirectMessageMentionsTheAdminAndARetryPostsNothingTwice() throws Exception {
            Notice notice = failed("mastodon", "me");
            MastodonChannel channel = channel(Map.of());
            assertThat(channel.deliver("me", notice)).isInstanceOf(JobOutcome.Succeeded.class);
            assertThat(channel.deliver("me", notice)).isInstanceOf(JobOutcome.Succeeded.class);

            assertThat(fake.refused).isEmpty();
            assertThat(fake.of("mastodon")).as("the same Idempotency-Key: one status").hasSize(1);
            FakeServices.Message m = fake.of("mastodon").get(0);
            assertThat(m.header("Idempotency-Key")).isEqualTo(notice.delivery().toString());
            Map<String, String> form = form(m);
            assertThat(form.get("visibility")).isEqualTo("direct");
            assertThat(form.get("status")).startsWith("@admin@example.social Lifeboat: the backup of mastodon failed");
        }

        @Test
        void anAccountNamedInAWarningIsNotMentioned() throws Exception {
            Notice notice = notice("mastodon", "me", NotificationEvent.ANOMALY_DETECTED,
                    List.of("table public.\"@victim@other.example\" lost 90 % of its rows"));
            assertThat(channel(Map.of()).deliver("me", notice)).isInstanceOf(JobOutcome.Succeeded.class);
            String status = form(fake.of("mastodon").get(0)).get("status");
            assertThat(status).startsWith("@admin@example.social ").contains("@\u200Bvictim@\u200Bother.example")
                    .doesNotContain("@victim@other.example");
        }

        @Test
        void aPostIsCutTo500Characters() throws Exception {
            Notice notice = notice("mastodon", "me", NotificationEvent.ANOMALY_DETECTED, List.of("y".repeat(900)));
            assertThat(channel(Map.of("lifeboat.notifications.mastodon.me.visibility", "unlisted")).deliver("me", notice))
                    .isInstanceOf(JobOutcome.Succeeded.class);
            Map<String, String> form = form(fake.of("mastodon").get(0));
            assertThat(form.get("visibility")).isEqualTo("unlisted");
            assertThat(form.get("status").codePointCount(0, form.get("status").length())).isBetween(470, 500);
            assertThat(form.get("status")).endsWith("…");
        }

        @Test
        void aRevokedTokenGivesUpWithoutShowingIt() throws Exception {
            JobOutcome<NotifyResult> outcome = channel(Map.of("lifeboat.notifications.mastodon.me.access-token", "revokedMastodonToken"))
                    .deliver("me", failed("mastodon", "me"));
            assertThat(outcome).isInstanceOf(JobOutcome.GiveUp.class);
            assertThat(error(outcome)).isEqualTo("mastodon me (" + fake.base() + ") answered HTTP 401: {\"error\":\"The access token is invalid\"}."
                    + " Hint: check lifeboat.notifications.mastodon.me.* (URL, token, room, account); a delivery refused like this is not retried");
        }
    }

    @Nested
    class StartUpValidation {
        @Test
        void everyChannelsProblemsAreNamedWithoutRepeatingSecrets() {
            Map<String, String> p = new HashMap<>();
            p.put("lifeboat.notifications.slack.ops.url", "ftp://hooks.slack.com/services/slackWebhookSecret9x7q");
            p.put("lifeboat.notifications.discord.ops.events", "job.failed,job.exploded");
            p.put("lifeboat.notifications.ntfy.phone.url", "https://ntfy.sh/");
            p.put("lifeboat.notifications.ntfy.phone.priority", "loud");
            p.put("lifeboat.notifications.matrix.room.homeserver", "https://matrix.example.org");
            p.put("lifeboat.notifications.matrix.room.room", "#ops:example.org");
            p.put("lifeboat.notifications.email.admins.to", "admin@example.org,not-an-address");
            p.put("lifeboat.notifications.email.nobody.events", "*");
            p.put("lifeboat.notifications.mastodon.me.instance", "https://example.social");
            p.put("lifeboat.notifications.mastodon.me.visibility", "followers");
            p.put("lifeboat.notifications.mastodon.dm.instance", "https://example.social");
            p.put("lifeboat.notifications.mastodon.dm.access-token", "t0ken-xyz");
            p.put("lifeboat.notifications.matrix.bad.homeserver", "https://matrix.example.org");
            p.put("lifeboat.notifications.matrix.bad.room", "!abc:example.org");
            p.put("lifeboat.notifications.matrix.bad.access-token", "syt_one two");
            p.put("lifeboat.notifications.discord.broken.url", "https://discord.com/api/webhooks/1/discordSecret 4u");
            ConfigProblems problems = new ConfigProblems();
            new NotificationConfigCheck().check(config(p), problems);
            String message = "";
            try {
                problems.throwIfAny();
            } catch (ConfigProblems.InvalidConfigurationException e) {
                message = e.getMessage();
            }
            assertThat(message)
                    .contains("lifeboat.notifications.slack.ops.url is not an http(s) URL")
                    .contains("lifeboat.notifications.discord.ops.url is missing")
                    .contains("lifeboat.notifications.discord.ops.events names 'job.exploded', which is not an event")
                    .contains("lifeboat.notifications.ntfy.phone.url has no topic")
                    .contains("lifeboat.notifications.ntfy.phone.priority=loud is not an ntfy priority")
                    .contains("lifeboat.notifications.matrix.room.room=#ops:example.org is not a room id")
                    .contains("lifeboat.notifications.matrix.room.access-token is missing")
                    .contains("lifeboat.notifications.email.admins.to names 'not-an-address', which is not an email address")
                    .contains("lifeboat.notifications.email.nobody.to is missing")
                    .contains("lifeboat.notifications.email.admins.from is missing, and so is quarkus.mailer.from")
                    .contains("lifeboat.notifications.mastodon.me.access-token is missing")
                    .contains("lifeboat.notifications.mastodon.me.visibility=followers is not a visibility")
                    .contains("lifeboat.notifications.mastodon.dm.to is missing: a direct message needs someone to go to")
                    .contains("lifeboat.notifications.matrix.bad.access-token has a space or line break inside (not shown)")
                    .contains("lifeboat.notifications.discord.broken.url is not an http(s) URL (not shown: it is a secret)")
                    .doesNotContain("slackWebhookSecret9x7q").doesNotContain("t0ken-xyz").doesNotContain("syt_one").doesNotContain("discordSecret");
            assertThat(problems.count()).isEqualTo(16);
        }

        @Test
        void aGoodConfigurationPasses() {
            Map<String, String> p = new HashMap<>();
            p.put("lifeboat.notifications.slack.ops.url", "https://hooks.slack.com/services/T0/B0/x");
            p.put("lifeboat.notifications.ntfy.phone.url", "https://ntfy.sh/lifeboat-x");
            p.put("lifeboat.notifications.ntfy.phone.priority", "4");
            p.put("lifeboat.notifications.matrix.room.homeserver", "https://matrix.example.org");
            p.put("lifeboat.notifications.matrix.room.room", "!abc:example.org");
            p.put("lifeboat.notifications.matrix.room.access-token", "syt_x");
            p.put("lifeboat.notifications.email.admins.to", "admin@example.org, ops@example.org");
            p.put("lifeboat.notifications.email.admins.from", "lifeboat@example.org");
            p.put("lifeboat.notifications.ntfy.phone.token", "tk_abc\n");
            p.put("lifeboat.notifications.mastodon.me.instance", "https://example.social");
            p.put("lifeboat.notifications.mastodon.me.access-token", "t");
            p.put("lifeboat.notifications.mastodon.me.to", "@admin@example.social,@ops");
            ConfigProblems problems = new ConfigProblems();
            new NotificationConfigCheck().check(config(p), problems);
            assertThat(problems.count()).isZero();
        }
    }

    @Test
    void aWebhookDeliveryIsWrittenAsBeforeAndOtherChannelsByChannelAndName() {
        UUID job = UUID.randomUUID();
        NotifyArgs hook = NotifyArgs.of("webhook", "test", "job.failed", job, null, null, null);
        assertThat(JSON.valueToTree(hook).toString()).isEqualTo("{\"event\":\"job.failed\",\"jobId\":\"" + job + "\",\"webhook\":\"test\"}");
        NotifyArgs slack = NotifyArgs.of("slack", "ops", "job.failed", job, null, null, null);
        assertThat(JSON.valueToTree(slack).toString())
                .isEqualTo("{\"event\":\"job.failed\",\"jobId\":\"" + job + "\",\"channel\":\"slack\",\"name\":\"ops\"}");
        assertThat(List.of(hook.channelId(), hook.recipient(), slack.channelId(), slack.recipient())).containsExactly("webhook", "test", "slack", "ops");
    }
}
