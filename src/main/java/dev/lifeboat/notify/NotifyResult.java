package dev.lifeboat.notify;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A delivery the receiver accepted (a 2xx, or the SMTP server took the mail). A webhook's names the
 * webhook (as before the other channels existed); any other's names the channel and its name.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NotifyResult(String webhook, String event, String channel, String name) {

    static NotifyResult of(NotifyArgs args) {
        return args.channel() == null
                ? new NotifyResult(args.webhook(), args.event(), null, null)
                : new NotifyResult(null, args.event(), args.channel(), args.name());
    }
}
