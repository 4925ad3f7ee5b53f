package dev.homeport.deploy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Bytes sent to a tunnel's public port come back unchanged from the echo service behind it. */
final class RoundTrip {
    /** Large enough to need many frames and flow-control windows, small enough to stay quick. */
    static final int BYTES = 1 << 20;
    private static final int TIMEOUT_MILLIS = 30_000;

    private RoundTrip() {
    }

    static void through(String host, int port) throws Exception {
        byte[] sent = new byte[BYTES];
        new Random(port).nextBytes(sent);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    s.getOutputStream().write(sent);
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            for (int n; got.size() < BYTES && (n = in.read(buf)) >= 0; ) {
                got.write(buf, 0, n);
            }
            writer.join();
            assertThat(got.toByteArray()).as("the bytes echoed through the tunnel at %s:%d", host, port).isEqualTo(sent);
        }
    }
}
