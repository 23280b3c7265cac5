package dev.lifeboat.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.JobOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Matrix rooms ({@code lifeboat.notifications.matrix.<name>.*}), through the client-server API:
 * {@code PUT <homeserver>/_matrix/client/v3/rooms/<room id>/send/m.room.message/<txn id>} with
 * {@code {"msgtype": "m.text", "body": "..."}} and {@code Authorization: Bearer <access token>} (never the
 * token in the query string, where proxies log it). The transaction id is made from the notify job's id,
 * the same on every retry, so the homeserver keeps one message however often an answer was lost.
 */
@ApplicationScoped
public class MatrixChannel implements NotificationChannel {

    @Inject
    LifeboatConfig config;
    @Inject
    HttpDelivery http;
    @Inject
    ObjectMapper json;

    @Override
    public String id() {
        return "matrix";
    }

    @Override
    public Map<String, LifeboatConfig.Notifications.Matrix> configured(LifeboatConfig.Notifications notifications) {
        return notifications.matrix();
    }

    @Override
    public JobOutcome<NotifyResult> deliver(String name, Notice notice) throws Exception {
        LifeboatConfig.Notifications.Matrix matrix = config.notifications().matrix().get(name);
        if (matrix == null || matrix.homeserver().isEmpty() || matrix.room().isEmpty() || matrix.accessToken().isEmpty()) {
            return JobOutcome.giveUp("matrix " + name + " is no longer configured");
        }
        URI homeserver = matrix.homeserver().get();
        String token = HttpDelivery.token(matrix.accessToken().get());
        URI uri = URI.create(homeserver.toString().replaceAll("/+$", "") + "/_matrix/client/v3/rooms/" + segment(matrix.room().get())
                + "/send/m.room.message/" + segment(txnId(notice)));
        // "@room" in a body notifies everyone in the room (a table of that name in a warning must not):
        // a zero-width space after the @ keeps the text readable and mentions nobody.
        byte[] body = json.writeValueAsBytes(Map.of("msgtype", "m.text", "body", notice.text().replace("@room", "@\u200Broom")));
        HttpRequest request = http.request(uri).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.send(request, "matrix " + name + " (room " + matrix.room().get() + " on " + HttpDelivery.shown(homeserver) + ")",
                notice.args(), List.of(token));
    }

    /** One per delivery, the same on every retry. */
    static String txnId(Notice notice) {
        return "lifeboat-" + notice.delivery();
    }

    /** A path segment: {@code !abc:example.org} becomes {@code %21abc%3Aexample.org}. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
