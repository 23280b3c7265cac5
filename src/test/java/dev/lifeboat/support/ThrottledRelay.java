package dev.lifeboat.support;

import dev.lifeboat.pg.PgTestDb;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay to the test PostgreSQL that passes the server's answers at most {@link #BYTES_PER_SECOND}:
 * the target {@code dashslow} connects through it, so a backup of a 100 MB database lasts several
 * seconds, long enough for the dashboard's progress bar to be seen advancing, without a database of
 * gigabytes. Applies to all Quarkus tests (one listening socket; only {@code dashslow} uses it).
 */
public class ThrottledRelay implements QuarkusTestResourceLifecycleManager {
    /** The server-to-client rate. */
    public static final long BYTES_PER_SECOND = 16L * 1024 * 1024;

    private ServerSocket listener;

    @Override
    public Map<String, String> start() {
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the throttled relay", e);
        }
        Thread accept = new Thread(this::acceptLoop, "throttled-relay-accept");
        accept.setDaemon(true);
        accept.start();
        return Map.of("lifeboat.targets.dashslow.port", String.valueOf(listener.getLocalPort()));
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(PgTestDb.HOST, PgTestDb.PORT);
                pump(client.getInputStream(), server.getOutputStream(), Long.MAX_VALUE, client, server);
                pump(server.getInputStream(), client.getOutputStream(), BYTES_PER_SECOND, server, client);
            } catch (IOException e) {
                // listener closed, or the server refused: the client sees its connection fail
            }
        }
    }

    private static void pump(InputStream in, OutputStream out, long rate, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            long next = System.nanoTime(); // when the next bytes may pass: idle time earns no burst
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                    if (rate != Long.MAX_VALUE) {
                        long now = System.nanoTime();
                        next = Math.max(next, now) + n * 1_000_000_000L / rate;
                        if (next > now) {
                            LockSupport.parkNanos(next - now);
                        }
                    }
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                close(a);
                close(b);
            }
        }, "throttled-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void stop() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // the JVM is ending
        }
    }

    /** Registers the relay for every Quarkus test (a resource applies to all tests unless restricted). */
    @QuarkusTestResource(ThrottledRelay.class)
    public static final class Registration {
    }
}
