package dev.homeport.e2e;

import dev.homeport.e2e.Payload.Transfer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A relay shutting down gracefully takes no new connections, public or control, but lets a stream
 * already in flight finish with every byte, as long as it finishes within the shutdown grace; a
 * client closing gracefully does the same for the streams it carries.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GracefulShutdownTest {
    private static final long DOWNLOAD = 8L << 20;
    private static final long UPLOAD = 4L << 20;
    /** Generous: a WebSocket session moves client-to-relay bytes slowly under the PARANOID leak detector. */
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final int READER_BUFFER = 64 * 1024;

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @AcrossTransports
    void streamInFlightCompletesWithAllBytesWhileNewConnectionsAreRefused(Transport transport) throws Exception {
        CompletableFuture<Transfer> sent = new CompletableFuture<>();
        LocalService service = teardown.add(LocalService.start(socket -> {
            socket.getInputStream().readAllBytes(); // the request, until the client half-closes
            sent.complete(Payload.write(socket.getOutputStream(), 7, DOWNLOAD));
        }));
        RelayHarness h = teardown.add(RelayHarness.over(transport)
                .relay(c -> c.withShutdownGrace(GRACE))
                .start(service.port()));
        int port = h.publicPort();

        Socket pub = h.connect(port, READER_BUFFER);
        pub.getOutputStream().write("GET /big".getBytes(StandardCharsets.US_ASCII));
        pub.shutdownOutput();
        InputStream in = pub.getInputStream();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long received = read(in, sha, 1L << 20, 0);

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(h::stopRelay);
        Await.until(Duration.ofSeconds(5), "the relay to refuse new public and control connections",
                () -> refused(port) && refused(h.controlPort()));
        if (DOWNLOAD - received > KernelBuffers.maxSendBuffer() + 2 * READER_BUFFER) {
            // The relay cannot have handed the rest to the kernel yet, so it must still be waiting for it.
            assertThat(stopping).as("relay still stopping while the stream is in flight").isNotDone();
        }

        // A reader slower than the service, so that the relay still holds data when the service is done.
        received += read(in, sha, Long.MAX_VALUE, 2);
        Transfer got = new Transfer(received, HexFormat.of().formatHex(sha.digest()));

        assertThat(got).isEqualTo(sent.get(5, TimeUnit.SECONDS));
        stopping.get(GRACE.toSeconds() + 5, TimeUnit.SECONDS);
    }

    @AcrossTransports
    void uploadInFlightWhenTheClientClosesReachesTheLocalServiceWithAllBytes(Transport transport) throws Exception {
        CompletableFuture<Transfer> atService = new CompletableFuture<>();
        LocalService service = teardown.add(LocalService.start(socket -> {
            // Half-closes at once, so the client is done with the stream as soon as the whole upload
            // has reached it, while this side still reads it slowly.
            socket.setReceiveBufferSize(READER_BUFFER);
            socket.shutdownOutput();
            atService.complete(Payload.readSlowlyToEnd(socket.getInputStream(), Duration.ofMillis(2)));
        }));
        RelayHarness h = teardown.add(RelayHarness.over(transport)
                .client(c -> c.withShutdownGrace(GRACE))
                .start(service.port()));

        Socket pub = h.connect();
        Transfer sent = Payload.write(pub.getOutputStream(), 8, UPLOAD);
        pub.shutdownOutput();
        // The upload is in the kernel and the relay; the slow local service has most of it still to read.
        CompletableFuture<Void> closing = CompletableFuture.runAsync(h.client()::close);

        Await.until(GRACE, "the local service to read the upload to its end",
                () -> atService.isDone() || !service.failures().isEmpty());
        assertThat(service.failures()).isEmpty();
        assertThat(atService.join()).isEqualTo(sent);
        closing.get(GRACE.toSeconds() + 5, TimeUnit.SECONDS);
    }

    /** Reads up to {@code limit} bytes (or to the end of stream), pausing {@code pauseMillis} after each read. */
    private static long read(InputStream in, MessageDigest sha, long limit, long pauseMillis) throws IOException {
        byte[] buf = new byte[16 * 1024];
        long total = 0;
        while (total < limit) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, limit - total));
            if (n < 0) {
                break;
            }
            sha.update(buf, 0, n);
            total += n;
            if (pauseMillis > 0) {
                Await.sleep(Duration.ofMillis(pauseMillis));
            }
        }
        return total;
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
