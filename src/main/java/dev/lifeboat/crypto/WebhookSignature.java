package dev.lifeboat.crypto;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * How Lifeboat signs what it POSTs (webhook notifications, restore hooks): with a configured secret,
 * {@code X-Lifeboat-Timestamp: <Unix seconds>} and
 * {@code X-Lifeboat-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">}. The timestamp is
 * signed with the body, so a receiver that rejects timestamps older than five minutes cannot be fed a
 * recorded request again.
 */
public final class WebhookSignature {
    public static final String TIMESTAMP_HEADER = "X-Lifeboat-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Lifeboat-Signature";

    private WebhookSignature() {
    }

    /** {@code sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">} with {@code secret}. */
    public static String sign(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
