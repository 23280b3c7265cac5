package dev.lifeboat.notify;

import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.support.Db;
import dev.lifeboat.support.HookServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static dev.lifeboat.support.Jobs.backup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end: a backup that really runs and fails reaches every channel (Slack, Discord, ntfy, Matrix,
 * Mastodon on {@link FakeServices}, email through Quarkus Mailer to a real SMTP server), each through a
 * {@code notify} job of its own; failing receivers are retried by the queue and still post each message
 * once; no token, password or secret URL is in a job row, the API or the log.
 */
@QuarkusTest
@TestProfile(ChannelsEndToEndTest.Channels.class)
class ChannelsEndToEndTest {

    /** Its own application: the channels are configured here only, so other tests' failures notify no one new. */
    public static class Channels implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ChannelServices.class));
        }
    }

    static final List<String> CHANNELS = List.of("slack", "discord", "ntfy", "matrix", "mastodon");
    final List<String> logged = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            String text = r instanceof ExtLogRecord ext ? ext.getFormattedMessage() : r.getMessage();
            logged.add(text + (r.getThrown() == null ? "" : " " + r.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Inject
    Db db;
    @Inject
    EmailChannel email;

    @BeforeEach
    void listen() {
        ChannelServices.fake.reset();
        HookServer.reset();
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        Logger.getLogger("").removeHandler(capture);
    }

    static List<String> secrets() {
        List<String> all = new ArrayList<>(FakeServices.SECRETS);
        all.add(ChannelServices.SMTP_PASSWORD);
        return all;
    }

    static List<MimeMessage> mails(String mentioning) {
        return Arrays.stream(ChannelServices.mail.getReceivedMessages()).filter(m -> {
            try {
                return com.icegreen.greenmail.util.GreenMailUtil.getBody(m).contains(mentioning);
            } catch (RuntimeException e) {
                return false;
            }
        }).toList();
    }

    static boolean everyChannelHas(String mentioning) {
        return CHANNELS.stream().allMatch(c -> ChannelServices.fake.of(c).stream().anyMatch(m -> m.body().contains(mentioning)))
                && mails(mentioning).size() == 2;
    }

    @Test
    void aFailedBackupReachesEveryChannelAndTheMailbox() throws Exception {
        String jobId = backup("nodb").getString("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> everyChannelHas(jobId));

        assertThat(ChannelServices.fake.refused).isEmpty();
        MimeMessage mail = mails(jobId).get(0);
        assertThat(mail.getSubject()).isEqualTo("[Lifeboat] backup of nodb failed");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("lifeboat@example.org");
        assertThat(mails(jobId)).extracting(m -> m.getAllRecipients()[0].toString()).containsOnly("admin@example.org");
        assertThat(Arrays.stream(mail.getAllRecipients()).map(Object::toString)).containsExactlyInAnyOrder("admin@example.org", "oncall@example.org");
        assertThat(mail.getHeader("X-Lifeboat-Event")).containsExactly("job.failed");
        String body = com.icegreen.greenmail.util.GreenMailUtil.getBody(mail);
        assertThat(body).contains("Lifeboat: the backup of nodb failed: ").contains("lifeboat_no_such_db");
        assertThat(mail.getContentType()).startsWith("text/plain");

        List<Map<String, Object>> rows = db.query("SELECT idempotency_key, state, args::text AS args FROM job WHERE kind = 'notify'"
                + " AND args->>'jobId' = ? ORDER BY idempotency_key", jobId);
        assertThat(rows).extracting(r -> r.get("idempotency_key")).containsExactly(
                "notify:discord:ops:job.failed:" + jobId, "notify:email:admins:job.failed:" + jobId,
                "notify:mastodon:me:job.failed:" + jobId, "notify:matrix:room:job.failed:" + jobId,
                "notify:ntfy:phone:job.failed:" + jobId, "notify:slack:ops:job.failed:" + jobId, "notify:test:job.failed:" + jobId);
        await().atMost(Duration.ofSeconds(30)).until(() -> db.query("SELECT state FROM job WHERE kind = 'notify' AND args->>'jobId' = ?", jobId)
                .stream().allMatch(r -> "succeeded".equals(r.get("state"))));
    }

    @Test
    void failingReceiversAreRetriedPostOnceAndNoSecretIsInJobRowsTheApiOrTheLog() throws Exception {
        // Every HTTP channel's first attempt is answered 502, and a retry delivers it.
        CHANNELS.forEach(c -> ChannelServices.fake.failNext.put(c, new AtomicInteger(1)));
        String jobId = backup("nodb").getString("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> everyChannelHas(jobId));
        await().atMost(Duration.ofSeconds(30)).until(() -> db.query("SELECT state FROM job WHERE kind = 'notify' AND args->>'jobId' = ?", jobId)
                .stream().allMatch(r -> "succeeded".equals(r.get("state"))));
        for (String channel : CHANNELS) {
            assertThat(ChannelServices.fake.of(channel).stream().filter(m -> m.body().contains(jobId))).as(channel + ": one message").hasSize(1);
        }

        List<Map<String, Object>> rows = db.query("SELECT args::text AS args, coalesce(result::text, '') AS result, coalesce(error, '') AS error,"
                + " coalesce(idempotency_key, '') AS key, attempt FROM job WHERE kind = 'notify' AND args->>'jobId' = ?", jobId);
        assertThat(rows).hasSize(7);
        assertThat(rows).filteredOn(r -> !r.get("key").toString().contains(":email:") && !r.get("key").toString().contains(":test:"))
                .allMatch(r -> ((Number) r.get("attempt")).intValue() >= 2);
        String api = as(VIEWER).get("/api/v1/jobs?kind=notify&limit=100").asString();
        for (String secret : secrets()) {
            for (Map<String, Object> row : rows) {
                assertThat(row.values().toString()).doesNotContain(secret);
            }
            assertThat(api).doesNotContain(secret);
            assertThat(logged).noneMatch(line -> line.contains(secret));
        }
        assertThat(logged).as("the retries were logged").anyMatch(line -> line.contains("answered HTTP 502"));
    }

    @Test
    void anSmtpServerThatIsDownIsRetriedWithoutShowingThePassword() {
        NotifyArgs args = NotifyArgs.of("email", "admins", "job.failed", UUID.randomUUID(), null, null, null);
        Notice notice = new Notice(NotificationEvent.JOB_FAILED, args, null, NotifyHandler.title(NotificationEvent.JOB_FAILED, null, args),
                "Lifeboat: the backup of mastodon failed: disk full", UUID.randomUUID(), Instant.now());
        int port = ChannelServices.mail.getSmtp().getPort();
        ChannelServices.stopMail();
        try {
            JobOutcome<NotifyResult> down = email.deliver("admins", notice);
            assertThat(down).isInstanceOf(JobOutcome.Retry.class);
            String error = ((JobOutcome.Retry<NotifyResult>) down).error();
            assertThat(error).startsWith("email admins (SMTP server 127.0.0.1) did not take the mail: ").doesNotContain(ChannelServices.SMTP_PASSWORD);
        } finally {
            ChannelServices.startMailAgain(port);
        }
        // Back: the next attempt delivers.
        await().atMost(Duration.ofSeconds(30)).until(() -> email.deliver("admins", notice) instanceof JobOutcome.Succeeded<?>);
        assertThat(mails(args.jobId().toString())).isNotEmpty();
    }
}
