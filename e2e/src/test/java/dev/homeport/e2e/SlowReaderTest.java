package dev.homeport.e2e;

import dev.homeport.e2e.Exchange.Outcome;
import dev.homeport.e2e.Exchange.Plan;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.mux.MuxSession;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One public client that reads nothing while its local service offers 256 MiB: its stream stalls
 * once its window and the socket buffers are full, the other streams of the session go on, and
 * what the stalled stream holds is bounded by its window, not by what was offered.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SlowReaderTest {
    private static final Logger log = LoggerFactory.getLogger(SlowReaderTest.class);
    private static final long OFFERED = 256L << 20;
    private static final int OTHERS = 10;
    private static final int SLOW_READER_RECEIVE_BUFFER = 64 * 1024;
    private static final int SERVICE_SEND_BUFFER = 64 * 1024;
    private static final byte FLOOD = 'F';
    private static final byte EXCHANGE = 'X';

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @AcrossTransports
    void aPublicClientThatReadsNothingStallsOnlyItsOwnStreamAndHoldsNoMoreThanItsWindow(Transport transport) throws Exception {
        AtomicLong flooded = new AtomicLong();
        CompletableFuture<Throwable> floodEnded = new CompletableFuture<>();
        CountDownLatch othersOpen = new CountDownLatch(OTHERS);
        Map<Integer, Outcome> atService = new ConcurrentHashMap<>();
        LocalService.Behaviour exchange = Exchange.localService(atService, othersOpen);
        LocalService service = teardown.add(LocalService.start(socket -> {
            int mode = socket.getInputStream().read();
            if (mode == FLOOD) {
                flood(socket, flooded, floodEnded);
            } else if (mode == EXCHANGE) {
                exchange.serve(socket);
            }
        }));
        RelayHarness h = teardown.add(RelayHarness.over(transport).start(service.port()));
        MuxSession relaySession = h.relaySession();
        ProtocolSettings relaySettings = h.relay().config().protocol();

        Socket slow = h.connect(h.publicPort(), SLOW_READER_RECEIVE_BUFFER);
        slow.getOutputStream().write(FLOOD);
        slow.getOutputStream().flush();
        long stalledAt = awaitStalled(flooded);
        long carriedWhenStalled = relaySession.bytesReceived();
        log.info("event=slow_stream_stalled written_by_service={} carried_by_session={}", stalledAt, carriedWhenStalled);

        List<Plan> plans = new ArrayList<>();
        List<FutureTask<Outcome>> others = new ArrayList<>();
        for (int id = 0; id < OTHERS; id++) {
            Plan plan = new Plan(id, transport.bulk(1L << 20), transport.bulk(4L << 20), 1000 + id);
            plans.add(plan);
            Socket s = h.connect();
            s.getOutputStream().write(EXCHANGE);
            others.add(Exchange.inThread("other-" + id, () -> Exchange.asPublicClient(s, plan, othersOpen)));
        }
        long othersDownloaded = 0;
        for (FutureTask<Outcome> f : others) {
            Outcome pub = Exchange.join(f);
            othersDownloaded += pub.received().bytes();
        }
        Await.until(Duration.ofSeconds(10), "the local service finished the other streams",
                () -> atService.size() + service.failures().size() >= OTHERS);
        assertThat(service.failures()).isEmpty();
        for (Plan plan : plans) {
            assertThat(atService.get(plan.id()).received().bytes()).isEqualTo(plan.upload());
        }

        // Still stalled, and within the same bounds, after the other streams came and went.
        long written = flooded.get();
        long carried = relaySession.bytesReceived() - othersDownloaded;
        log.info("event=slow_stream_after_others written_by_service={} carried_by_session={} offered={}",
                written, carried, OFFERED);
        assertThat(floodEnded).isNotDone();
        assertThat(written).as("bytes the local service could write into the stalled stream").isLessThan(OFFERED / 8);
        // What the relay received for the slow stream is what the client was allowed to send: the
        // stream's receive window on the relay (auto-tuned up to its cap) plus what the relay could
        // hand to the kernel for the public socket (its send buffer and the reader's receive buffer).
        long kernel = KernelBuffers.maxSendBuffer() + 2L * SLOW_READER_RECEIVE_BUFFER;
        assertThat(carried).as("bytes the session carried for the stalled stream")
                .isLessThanOrEqualTo(relaySettings.maxStreamWindow() + kernel);
        // What the service wrote but the relay's multiplexer has not received is on the client (its
        // read-ahead, one socket read, the local socket's kernel buffers) or in flight to the relay.
        // In flight counts against the relay's receive window for the stream, together with what it
        // carried; over TLS and WebSocket, more of that window sits in the encoders and socket buffers.
        assertThat(written).as("bytes the service wrote: the window plus what the client side holds")
                .isLessThanOrEqualTo(relaySettings.maxStreamWindow() + kernel + 4L * relaySettings.maxFramePayload()
                        + (1L << 20) + KernelBuffers.maxReceiveBuffer() + 2L * SERVICE_SEND_BUFFER);

        // Closing the stalled reader resets its stream through to the local service.
        slow.close();
        assertThat(floodEnded.get(10, TimeUnit.SECONDS)).as("how the local service's write ended").isInstanceOf(IOException.class);
        h.awaitAllStreamsClosed(Duration.ofSeconds(5));
    }

    private static void flood(Socket socket, AtomicLong written, CompletableFuture<Throwable> ended) {
        try {
            socket.setSendBufferSize(SERVICE_SEND_BUFFER);
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[16 * 1024];
            for (long n = 0; n < OFFERED; n += chunk.length) {
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
            ended.complete(null);
        } catch (IOException e) {
            ended.complete(e);
        }
    }

    /** Waits until the local service has written something and then nothing more for half a second. */
    private static long awaitStalled(AtomicLong written) {
        long[] last = {-1};
        long[] since = {System.nanoTime()};
        Await.until(Duration.ofSeconds(20), "the slow stream to stall (written so far: " + written.get() + ")", () -> {
            long now = written.get();
            if (now != last[0]) {
                last[0] = now;
                since[0] = System.nanoTime();
                return false;
            }
            return now > 0 && System.nanoTime() - since[0] > TimeUnit.MILLISECONDS.toNanos(500);
        });
        return last[0];
    }
}
