package dev.lifeboat.notify;

import dev.lifeboat.job.Job;

import java.time.Instant;
import java.util.UUID;

/**
 * What one delivery says, before a channel formats it.
 *
 * @param event    the event
 * @param args     the {@code notify} job's arguments
 * @param about    the job the event is about, or null when it was deleted meanwhile
 * @param title    a short line, e.g. {@code Lifeboat: backup of mastodon failed}
 * @param message  one human sentence (a webhook's {@code message})
 * @param delivery the {@code notify} job's id: the same on every retry of one delivery
 * @param at       when this attempt was made
 */
public record Notice(NotificationEvent event, NotifyArgs args, Job about, String title, String message, UUID delivery, Instant at) {

    /** The plain-text body of chat messages, ntfy and email: the sentence, then the job (and backup) it is about. */
    public String text() {
        StringBuilder text = new StringBuilder(message);
        if (about != null) {
            text.append("\n\nJob ").append(about.id).append(" (").append(about.kind)
                    .append(about.target == null ? "" : " of " + about.target).append(", attempt ").append(about.attempt).append(')');
        } else if (args.jobId() != null) {
            text.append("\n\nJob ").append(args.jobId());
        }
        if (args.backupId() != null) {
            text.append("\nBackup ").append(args.backupId());
        }
        return text.toString();
    }

    /**
     * {@code text} cut to at most {@code max} characters (code points, so no emoji is split), ending in an
     * ellipsis when cut; at a space when one is near the end, so no word is cut in half.
     */
    public static String truncate(String text, int max) {
        if (text.codePointCount(0, text.length()) <= max) {
            return text;
        }
        String head = text.substring(0, text.offsetByCodePoints(0, max - 1));
        int space = head.lastIndexOf(' ');
        if (space > 0 && head.length() - space <= 30) {
            head = head.substring(0, space);
        }
        return head.stripTrailing() + "…";
    }
}
