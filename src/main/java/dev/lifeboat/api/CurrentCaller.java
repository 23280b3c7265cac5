package dev.lifeboat.api;

import dev.lifeboat.auth.Tokens;
import jakarta.enterprise.context.RequestScoped;

/** Who makes the current API request (set by {@link AuthFilter} once the token is checked). */
@RequestScoped
public class CurrentCaller {
    private Tokens.Caller caller;

    void set(Tokens.Caller caller) {
        this.caller = caller;
    }

    /** The caller; requests that reach a resource always have one. */
    public Tokens.Caller get() {
        if (caller == null) {
            throw new IllegalStateException("no authenticated caller in this request");
        }
        return caller;
    }
}
