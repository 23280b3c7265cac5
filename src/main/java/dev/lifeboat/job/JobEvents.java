package dev.lifeboat.job;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Listens on the {@link JobQueue#CHANNEL} NOTIFY channel with one dedicated connection and fans
 * events out in this replica: new jobs wake idle workers, cancel requests reach the worker running the
 * job, finished jobs release long-polling API requests. Notifications are an accelerator only: every
 * consumer also polls, so a lost connection delays work but never loses it.
 */
@ApplicationScoped
public class JobEvents {
    private static final Logger LOG = Logger.getLogger(JobEvents.class);

    /** What happened to a job; the first word of each payload line. */
    public enum Type {
        /** Inserted, or put back in the queue by the rescuer: wakes idle workers. */
        QUEUED,
        /** Put back by its worker (shutdown) or after a failed attempt: may unblock its target. */
        RELEASED,
        /** Succeeded, failed or cancelled: releases long polls, runs follow-ups, may unblock its target. */
        FINISHED,
        /** Someone asked to cancel a running job: reaches the worker running it. */
        CANCEL;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Type parse(String s) {
            for (Type t : values()) {
                if (t.id().equals(s)) {
                    return t;
                }
            }
            return null;
        }
    }

    /**
     * One event. A notification's payload holds one or more events, one
     * {@code "<type> <job id> <kind> [target]"} per line (batched completions); see {@link #line}.
     */
    public record Event(Type type, UUID jobId, String kind, String target) {
        /** One payload line. Kinds and target names hold no spaces (the job table's CHECKs). */
        public static String line(Type type, UUID jobId, String kind, String target) {
            return type.id() + " " + jobId + " " + kind + " " + (target == null ? "" : target);
        }

        static List<Event> parseAll(String payload) {
            List<Event> events = new ArrayList<>();
            for (String line : payload.split("\n")) {
                Event e = parse(line);
                if (e != null) {
                    events.add(e);
                }
            }
            return events;
        }

        static Event parse(String line) {
            String[] p = line.split(" ", 4);
            Type type = p.length < 3 ? null : Type.parse(p[0]);
            if (type == null) {
                return null;
            }
            try {
                return new Event(type, UUID.fromString(p[1]), p[2], p.length > 3 && !p[3].isEmpty() ? p[3] : null);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    @Inject
    AgroalDataSource dataSource;

    private final CopyOnWriteArrayList<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();
    private final Map<UUID, CompletableFuture<Void>> finishWaiters = new ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile boolean connected;
    private Thread thread;

    void start(@Observes StartupEvent ev) {
        running = true;
        thread = new Thread(this::listenLoop, "lifeboat-job-events");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ev) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    public boolean connected() {
        return connected;
    }

    public void subscribe(Consumer<Event> consumer) {
        subscribers.add(consumer);
    }

    public void unsubscribe(Consumer<Event> consumer) {
        subscribers.remove(consumer);
    }

    /**
     * A future completed when a finished/released notification for the job arrives (callers re-read
     * the job: the future is a hint, not a state). Callers must {@link #forget} it afterwards.
     */
    public CompletableFuture<Void> whenChanged(UUID jobId) {
        return finishWaiters.computeIfAbsent(jobId, id -> new CompletableFuture<>());
    }

    public void forget(UUID jobId, CompletableFuture<Void> f) {
        finishWaiters.remove(jobId, f);
    }

    void publish(Event e) {
        if (e.type() == Type.FINISHED || e.type() == Type.RELEASED) {
            CompletableFuture<Void> f = finishWaiters.remove(e.jobId());
            if (f != null) {
                f.complete(null);
            }
        }
        for (Consumer<Event> s : subscribers) {
            try {
                s.accept(e);
            } catch (RuntimeException ex) {
                LOG.warn("job event subscriber failed", ex);
            }
        }
    }

    private void listenLoop() {
        long backoffMs = 500;
        while (running) {
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                st.execute("LISTEN " + JobQueue.CHANNEL);
                PGConnection pg = c.unwrap(PGConnection.class);
                connected = true;
                backoffMs = 500;
                LOG.debug("listening for job notifications");
                int idle = 0;
                while (running) {
                    PGNotification[] ns = pg.getNotifications(1000);
                    if (ns == null || ns.length == 0) {
                        // A cheap round trip now and then notices a dead connection.
                        if (++idle % 15 == 0) {
                            st.execute("SELECT 1");
                        }
                        continue;
                    }
                    for (PGNotification n : ns) {
                        for (Event e : Event.parseAll(n.getParameter())) {
                            publish(e);
                        }
                    }
                }
            } catch (Exception e) {
                connected = false;
                if (!running) {
                    break;
                }
                LOG.warnf("job notification listener lost its connection (%s); workers fall back to polling and it reconnects in %d ms",
                        e.getMessage(), backoffMs);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
        connected = false;
    }
}
