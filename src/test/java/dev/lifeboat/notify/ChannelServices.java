package dev.lifeboat.notify;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The receivers of {@link ChannelsEndToEndTest}: {@link FakeServices} (Slack, Discord, ntfy, Matrix,
 * Mastodon) and a real SMTP server (GreenMail) that wants a login, with one channel of each kind
 * configured to them and Quarkus Mailer's mock off.
 */
public class ChannelServices implements QuarkusTestResourceLifecycleManager {
    static final String SMTP_USER = "lifeboat";
    static final String SMTP_PASSWORD = "smtpPassw0rd-e2e-41c";
    static FakeServices fake;
    static GreenMail mail;

    @Override
    public Map<String, String> start() {
        try {
            fake = new FakeServices();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ServerSetup smtp = ServerSetupTest.SMTP.dynamicPort();
        mail = new GreenMail(smtp);
        mail.start();
        mail.setUser("lifeboat@example.org", SMTP_USER, SMTP_PASSWORD);
        Map<String, String> c = new HashMap<>();
        c.put("quarkus.mailer.mock", "false");
        c.put("quarkus.mailer.host", "127.0.0.1");
        c.put("quarkus.mailer.port", Integer.toString(mail.getSmtp().getPort()));
        c.put("quarkus.mailer.start-tls", "DISABLED");
        c.put("quarkus.mailer.username", SMTP_USER);
        c.put("quarkus.mailer.password", SMTP_PASSWORD);
        c.put("quarkus.mailer.from", "lifeboat@example.org");
        c.put("lifeboat.notifications.slack.ops.url", fake.slackUrl());
        c.put("lifeboat.notifications.discord.ops.url", fake.discordUrl());
        c.put("lifeboat.notifications.ntfy.phone.url", fake.ntfyUrl());
        c.put("lifeboat.notifications.ntfy.phone.token", FakeServices.NTFY_TOKEN);
        c.put("lifeboat.notifications.matrix.room.homeserver", fake.base());
        c.put("lifeboat.notifications.matrix.room.room", FakeServices.MATRIX_ROOM);
        c.put("lifeboat.notifications.matrix.room.access-token", FakeServices.MATRIX_TOKEN);
        c.put("lifeboat.notifications.email.admins.to", "admin@example.org,oncall@example.org");
        c.put("lifeboat.notifications.mastodon.me.instance", fake.base());
        c.put("lifeboat.notifications.mastodon.me.access-token", FakeServices.MASTODON_TOKEN);
        c.put("lifeboat.notifications.mastodon.me.to", "@admin@example.social");
        return c;
    }

    /** The SMTP server goes away (connections refused) ... */
    static void stopMail() {
        mail.stop();
    }

    /** ... and comes back on the same port, with the same login. */
    static void startMailAgain(int port) {
        mail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        mail.setUser("lifeboat@example.org", SMTP_USER, SMTP_PASSWORD);
    }

    @Override
    public void stop() {
        if (fake != null) {
            fake.close();
        }
        if (mail != null) {
            mail.stop();
        }
    }
}
