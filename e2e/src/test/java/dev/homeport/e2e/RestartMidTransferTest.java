package dev.homeport.e2e;

import dev.homeport.client.RelayClient;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A relay or a client restarted while a stream is in the middle of a transfer longer than the
 * shutdown grace: the stream ends at both of its sockets with a close or a reset, never a hang, and
 * the same public port serves new connections within seconds of the restart.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RestartMidTransferTest {
    /** The harness's shutdown grace is 1 s on both sides; the stream must have ended well before this. */
    private static final Duration ENDS_WITHIN = Duration.ofSeconds(10);
    private static final Duration BACK_WITHIN = Duration.ofSeconds(15);
    /** More than the transfer could move within the grace: the restart always cuts it. */
    private static final long ENDLESS = 1L << 40;

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @AcrossTransports
    void relayRestartedMidTransferEndsTheStreamAtBothEndsAndThePortWorksAgain(Transport transport) throws Exception {
        LocalService service = teardown.add(endlessDownload());
        RelayHarness h = teardown.add(RelayHarness.over(transport).start(service.port()));
        int port = h.publicPort();
        Socket pub = startDownload(h, port);

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(h::stopRelay);
        long read = readUntilTheStreamEnds(pub);
        stopping.get(ENDS_WITHIN.toSeconds(), TimeUnit.SECONDS);
        Await.until(ENDS_WITHIN, "the local service's connection to end", () -> service.active() == 0);
        long t0 = System.nanoTime();
        h.startRelay();

        awaitServing(h, port);
        System.out.printf("event=measured scenario=relay_restart transport=%s bytes_before_cut=%d serving_again_ms=%d%n",
                transport, read, (System.nanoTime() - t0) / 1_000_000);
        h.awaitAllStreamsClosed(Duration.ofSeconds(5));
    }

    @AcrossTransports
    void clientRestartedMidTransferEndsTheStreamAtBothEndsAndTheNewClientGetsTheSamePort(Transport transport) throws Exception {
        LocalService service = teardown.add(endlessDownload());
        RelayHarness h = teardown.add(RelayHarness.over(transport).start(service.port()));
        int port = h.publicPort();
        Socket pub = startDownload(h, port);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(h.client()::close);
        long read = readUntilTheStreamEnds(pub);
        closing.get(ENDS_WITHIN.toSeconds(), TimeUnit.SECONDS);
        Await.until(ENDS_WITHIN, "the local service's connection to end", () -> service.active() == 0);
        long t0 = System.nanoTime();
        // A new client process: it knows its port only from its configuration, as with --remote-port.
        RelayClient restarted = h.startClient(RelayHarness.TOKEN, service.port(), port);
        restarted.bound().get(BACK_WITHIN.toSeconds(), TimeUnit.SECONDS);

        awaitServing(h, port);
        System.out.printf("event=measured scenario=client_restart transport=%s bytes_before_cut=%d serving_again_ms=%d%n",
                transport, read, (System.nanoTime() - t0) / 1_000_000);
        assertThat(h.log(restarted).lastPort()).isEqualTo(port);
        assertThat(h.relay().sessions()).hasSize(1);
        h.awaitAllStreamsClosed(Duration.ofSeconds(5));
    }

    /** Sends {@link #ENDLESS} bytes on every connection whose first byte is 'D'; answers "pong" to "ping". */
    private static LocalService endlessDownload() throws IOException {
        return LocalService.start(socket -> {
            int first = socket.getInputStream().read();
            if (first == 'D') {
                Payload.write(socket.getOutputStream(), 21, ENDLESS);
            } else if (first == 'p') {
                socket.getInputStream().readNBytes(3);
                socket.getOutputStream().write("pong".getBytes());
            }
        });
    }

    /** Starts a download through {@code port} and reads its first 256 KiB, so the stream is known to be in flight. */
    private static Socket startDownload(RelayHarness h, int port) throws IOException {
        Socket pub = h.connect(port, 0);
        pub.getOutputStream().write('D');
        pub.getOutputStream().flush();
        assertThat(pub.getInputStream().readNBytes(256 << 10)).hasSize(256 << 10);
        return pub;
    }

    /** Reads until end of stream or a reset; fails if the socket goes silent instead. */
    private static long readUntilTheStreamEnds(Socket pub) throws IOException {
        pub.setSoTimeout((int) ENDS_WITHIN.toMillis());
        InputStream in = pub.getInputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
        } catch (SocketTimeoutException e) {
            fail("the stream went silent instead of ending, after " + total + " bytes");
        } catch (IOException reset) {
            // a reset is a clean end too
        }
        return total;
    }

    private static void awaitServing(RelayHarness h, int port) {
        Await.until(BACK_WITHIN, "port " + port + " to serve again", () -> {
            try {
                return "pong".equals(h.request(port, "ping"));
            } catch (IOException notYet) {
                return false;
            }
        });
    }
}
