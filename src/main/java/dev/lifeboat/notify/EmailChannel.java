package dev.lifeboat.notify;

import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.JobOutcome;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.vertx.ext.mail.SMTPException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Email ({@code lifeboat.notifications.email.<name>.*}) through Quarkus Mailer: the SMTP server, its
 * credentials, TLS and the default sender are the standard {@code quarkus.mailer.*} keys. One plain-text
 * mail to all of {@code to}, subject {@code <subject-prefix> <what happened>} (e.g.
 * {@code [Lifeboat] backup of mastodon failed}), with the headers {@code X-Lifeboat-Event} and
 * {@code X-Lifeboat-Delivery}. A server that refuses for good (an SMTP 5xx: unknown recipient, bad
 * credentials) gives up; anything else (no connection, a 4xx, a timeout) is retried with the queue's backoff.
 */
@ApplicationScoped
public class EmailChannel implements NotificationChannel {

    @Inject
    LifeboatConfig config;
    @Inject
    ReactiveMailer mailer;
    @ConfigProperty(name = "quarkus.mailer.password")
    Optional<String> smtpPassword;
    @ConfigProperty(name = "quarkus.mailer.host", defaultValue = "localhost")
    String smtpHost;

    @Override
    public String id() {
        return "email";
    }

    @Override
    public Map<String, LifeboatConfig.Notifications.Email> configured(LifeboatConfig.Notifications notifications) {
        return notifications.email();
    }

    @Override
    public JobOutcome<NotifyResult> deliver(String name, Notice notice) {
        LifeboatConfig.Notifications.Email email = config.notifications().email().get(name);
        if (email == null || email.to().isEmpty()) {
            return JobOutcome.giveUp("email " + name + " is no longer configured");
        }
        Mail mail = new Mail().setTo(email.to().get().stream().map(String::trim).toList())
                .setSubject(subject(email.subjectPrefix(), notice))
                .setText(notice.text())
                .addHeader("X-Lifeboat-Event", notice.event().id())
                .addHeader("X-Lifeboat-Delivery", notice.delivery().toString());
        email.from().ifPresent(mail::setFrom);
        String where = "email " + name + " (SMTP server " + smtpHost + ")";
        try {
            mailer.send(mail).await().atMost(config.notifications().timeout());
        } catch (RuntimeException e) {
            String why = HttpDelivery.redact(String.valueOf(rootCause(e)), smtpPassword.map(List::of).orElse(List.of()));
            if (rootCause(e) instanceof SMTPException smtp && smtp.isPermanent()) {
                return JobOutcome.giveUp(where + " refused the mail: " + why + ". Hint: check lifeboat.notifications.email." + name
                        + ".to and quarkus.mailer.*; a mail refused like this is not retried");
            }
            return JobOutcome.retry(where + " did not take the mail: " + why);
        }
        return JobOutcome.succeeded(NotifyResult.of(notice.args()));
    }

    /** {@code [Lifeboat] backup of mastodon failed}. */
    static String subject(String prefix, Notice notice) {
        String what = notice.title().replaceFirst("^Lifeboat: ", "");
        return prefix.isBlank() ? what : prefix.strip() + " " + what;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
