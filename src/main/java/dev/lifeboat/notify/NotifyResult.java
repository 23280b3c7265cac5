package dev.lifeboat.notify;

/** A delivery that the webhook answered with a 2xx. */
public record NotifyResult(String webhook, String event) {
}
