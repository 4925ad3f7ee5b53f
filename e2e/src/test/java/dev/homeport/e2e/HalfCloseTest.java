package dev.homeport.e2e;

import dev.homeport.e2e.Payload.Transfer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A half-close travels through the tunnel as a half-close: the side that stopped sending still
 * receives everything, and the other side still sends. What follows the half-close is larger than a
 * stream window and read slowly through a small receive buffer, so the tunnel has to keep pumping,
 * and wait to write, toward a peer that has already finished sending.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HalfCloseTest {
    private static final long REQUEST = 3L << 20;
    private static final long RESPONSE = 5L << 20;
    private static final int SMALL_BUFFER = 64 * 1024;
    private static final Duration SLOW = Duration.ofMillis(1);

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @AcrossTransports
    void publicClientThatShutsDownOutputStillReceivesTheWholeResponse(Transport transport) throws Exception {
        CompletableFuture<Transfer> requestAtService = new CompletableFuture<>();
        CompletableFuture<Transfer> responseFromService = new CompletableFuture<>();
        LocalService service = teardown.add(LocalService.start(socket -> {
            // Answers only once the request has ended, like a service that needs the whole upload first.
            Transfer request = Payload.readToEnd(socket.getInputStream());
            requestAtService.complete(request);
            Await.sleep(Duration.ofMillis(200));
            responseFromService.complete(Payload.write(socket.getOutputStream(), 2, RESPONSE));
        }));
        RelayHarness h = teardown.add(RelayHarness.over(transport).start(service.port()));

        Socket pub = h.connect(h.publicPort(), SMALL_BUFFER);
        Transfer request = Payload.write(pub.getOutputStream(), 1, REQUEST);
        pub.shutdownOutput();
        Transfer response = Payload.readSlowlyToEnd(pub.getInputStream(), SLOW);

        assertThat(requestAtService.get(10, TimeUnit.SECONDS)).isEqualTo(request);
        assertThat(response).isEqualTo(responseFromService.get(10, TimeUnit.SECONDS));
        assertThat(response.bytes()).isEqualTo(RESPONSE);
        h.awaitAllStreamsClosed(Duration.ofSeconds(5));
        assertThat(service.failures()).isEmpty();
    }

    @AcrossTransports
    void localServiceThatShutsDownOutputFirstStillReceivesEverythingSentAfterwards(Transport transport) throws Exception {
        CompletableFuture<Transfer> greetingFromService = new CompletableFuture<>();
        CompletableFuture<Transfer> uploadAtService = new CompletableFuture<>();
        LocalService service = teardown.add(LocalService.start(socket -> {
            socket.setReceiveBufferSize(SMALL_BUFFER);
            greetingFromService.complete(Payload.write(socket.getOutputStream(), 3, RESPONSE));
            socket.shutdownOutput();
            uploadAtService.complete(Payload.readSlowlyToEnd(socket.getInputStream(), SLOW));
        }));
        RelayHarness h = teardown.add(RelayHarness.over(transport).start(service.port()));

        Socket pub = h.connect();
        InputStream in = pub.getInputStream();
        Transfer greeting = Payload.readToEnd(in);
        assertThat(greeting).isEqualTo(greetingFromService.get(10, TimeUnit.SECONDS));
        // The service has finished sending; the public client only starts now.
        Transfer upload = Payload.write(pub.getOutputStream(), 4, RESPONSE);
        pub.shutdownOutput();

        assertThat(uploadAtService.get(20, TimeUnit.SECONDS)).isEqualTo(upload);
        assertThat(in.read()).as("still at end of stream").isEqualTo(-1);
        h.awaitAllStreamsClosed(Duration.ofSeconds(5));
        assertThat(service.failures()).isEmpty();
    }
}
