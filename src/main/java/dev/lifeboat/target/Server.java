package dev.lifeboat.target;

import java.io.IOException;
import java.util.Optional;

/**
 * A PostgreSQL server Lifeboat connects to: a target's own, or one of {@code lifeboat.servers.<name>}
 * that drills and restores may use. The password is read from its source at each use and never held.
 *
 * @param name          {@code lifeboat.servers.<name>}, or the target's name for its own server
 * @param own           whether it is the target's own server
 * @param maintenanceDb the database to connect to for creating, renaming and dropping databases
 */
public record Server(String name, boolean own, String host, int port, String username, Target.PasswordSource passwordSource,
                     Tls tls, String maintenanceDb) {

    public Optional<String> password() throws IOException {
        return Target.readPassword(passwordSource);
    }

    /** {@code server drills (pg.example.org:5432)}, or {@code the server of target mastodon (…)}. */
    public String describe() {
        return (own ? "the server of target " + name : "server " + name) + " (" + host + ":" + port + ")";
    }
}
