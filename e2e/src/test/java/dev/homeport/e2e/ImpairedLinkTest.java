package dev.homeport.e2e;

import dev.homeport.e2e.Exchange.Outcome;
import dev.homeport.e2e.Exchange.Plan;
import dev.homeport.e2e.Payload.Transfer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every byte arrives, in order, whatever the network between client and relay does to its timing:
 * latency, a bandwidth cap, or segments of a few bytes each (so that TLS records, WebSocket frames
 * and mux frames are split at every possible offset). A {@link FaultProxy} sits between the two.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ImpairedLinkTest {
    private static final LinkShape LATENCY = LinkShape.CLEAN.withLatency(Duration.ofMillis(10));
    private static final LinkShape CAPPED = LinkShape.CLEAN.withBandwidth(16L << 20);
    private static final LinkShape TINY = LinkShape.CLEAN.withSegmentsUpTo(7);

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @Test
    void aGibibyteCrossesA20MillisecondRoundTripWithMatchingSha256() throws Exception {
        Outcome[] ends = exchange(Transport.PLAIN, LATENCY, new Plan(1, Reliability.GIB, 1L << 20, 11));
        assertThat(ends[1].received().bytes()).isEqualTo(Reliability.GIB);
    }

    @AcrossTransports
    void bytesCrossALinkCappedAt16MibPerSecondWithMatchingSha256(Transport transport) throws Exception {
        long size = transport.bulk(Reliability.size(16L << 20));
        exchange(transport, CAPPED, new Plan(2, size, size / 2, 12));
    }

    @AcrossTransports
    void bytesCrossALinkThatSlicesEverythingIntoSegmentsOfOneToSevenBytes(Transport transport) throws Exception {
        // Each segment is a system call and a packet: a MiB is a quarter of a million of them, so even
        // the long run sends 32 MiB here, not a GiB.
        long size = Reliability.LONG ? 32L << 20 : transport.webSocket() ? 512 << 10 : 1 << 20;
        // The GiB demonstration is its own run, about 20 minutes on PLAIN (docs/reliability.md):
        // -Dhomeport.reliability.tinySegmentsUpload=1073741824 -Dhomeport.e2e.joinSeconds=3600
        // -Djunit.jupiter.execution.timeout.mode=disabled
        long upload = Long.getLong("homeport.reliability.tinySegmentsUpload", size);
        assumeTrue(upload == size || transport == Transport.PLAIN,
                "the GiB demonstration runs over PLAIN only");
        exchange(transport, TINY, new Plan(3, upload, size, 13));
    }

    @AcrossTransports
    void aHalfCloseCrossesASlowSlicingLinkAndTheResponseStillArrives(Transport transport) throws Exception {
        LinkShape shape = TINY.withLatency(Duration.ofMillis(5));
        CompletableFuture<Transfer> requestAtService = new CompletableFuture<>();
        CompletableFuture<Transfer> responseFromService = new CompletableFuture<>();
        LocalService service = teardown.add(LocalService.start(socket -> {
            requestAtService.complete(Payload.readToEnd(socket.getInputStream()));
            responseFromService.complete(Payload.write(socket.getOutputStream(), 5, 64 * 1024));
        }));
        RelayHarness h = teardown.add(RelayHarness.over(transport).throughFaultProxy().start(service.port()));
        h.proxy().shape(shape, shape);

        Socket pub = h.connect();
        Transfer request = Payload.write(pub.getOutputStream(), 4, 64 * 1024);
        pub.shutdownOutput();
        Transfer response = Payload.readToEnd(pub.getInputStream());

        assertThat(requestAtService.get(10, TimeUnit.SECONDS)).isEqualTo(request);
        assertThat(response).isEqualTo(responseFromService.get(10, TimeUnit.SECONDS));
        h.awaitAllStreamsClosed(Duration.ofSeconds(10));
        assertThat(service.failures()).isEmpty();
    }

    /** One stream both ways through a proxy shaped {@code shape} in both directions; returns the public and the local end. */
    private Outcome[] exchange(Transport transport, LinkShape shape, Plan plan) throws Exception {
        Map<Integer, Outcome> atService = new ConcurrentHashMap<>();
        CountDownLatch gate = new CountDownLatch(1);
        LocalService service = teardown.add(LocalService.start(Exchange.localService(atService, gate)));
        RelayHarness h = teardown.add(RelayHarness.over(transport).throughFaultProxy().start(service.port()));
        h.proxy().shape(shape, shape);

        Outcome pub = Exchange.asPublicClient(h.connect(), plan, gate);

        // The proxy may still hold up to 32 MiB on the way; through 1-7 byte segments that is many seconds.
        Await.until(Duration.ofSeconds(Long.getLong("homeport.e2e.joinSeconds", 10)), "the local service to finish",
                () -> atService.containsKey(plan.id()));
        Outcome local = atService.get(plan.id());
        assertThat(local.received()).as("upload, " + shape).isEqualTo(pub.sent());
        assertThat(pub.received()).as("download, " + shape).isEqualTo(local.sent());
        assertThat(pub.sent().bytes()).isEqualTo(plan.upload());
        assertThat(pub.received().bytes()).isEqualTo(plan.download());
        h.awaitAllStreamsClosed(Duration.ofSeconds(10));
        assertThat(service.failures()).isEmpty();
        return new Outcome[] {pub, local};
    }
}
