package dev.homeport.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The service at home in these tests: a TCP echo on loopback, in this JVM, for at most {@link #MAX_CONNECTIONS}. */
final class EchoService implements AutoCloseable {
    static final int MAX_CONNECTIONS = 8;

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newFixedThreadPool(MAX_CONNECTIONS + 1);

    EchoService() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        threads.execute(() -> {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                try {
                    Socket s = server.accept();
                    threads.execute(() -> echo(s));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    private static void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException peerGone) {
            // The test's connection ended.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
