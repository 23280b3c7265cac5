package dev.lifeboat.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay to a server (PostgreSQL) that a test can cut: every connection through it breaks at
 * once and new ones are refused, as when a replica loses its network path to Lifeboat's database.
 */
public final class TcpCutter implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean cut;

    public TcpCutter(String host, int port) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    if (cut) {
                        client.close();
                        continue;
                    }
                    Socket server = new Socket(host, port);
                    sockets.add(client);
                    sockets.add(server);
                    pump(client.getInputStream(), server.getOutputStream(), client, server);
                    pump(server.getInputStream(), client.getOutputStream(), server, client);
                } catch (IOException e) {
                    // listener closed, or the server refused: the client sees its connection fail
                }
            }
        }, "tcp-cutter-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Breaks every connection through the relay and refuses new ones (the relay keeps listening). */
    public void cut() {
        cut = true;
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        sockets.clear();
    }

    private static void pump(InputStream in, OutputStream out, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // cut, or closed by either side
            } finally {
                try {
                    a.close();
                    b.close();
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
        }, "tcp-cutter-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        cut();
        listener.close();
    }
}
