package dev.homeport.e2e;

import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.Frames;
import dev.homeport.protocol.mux.MuxSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client over TLS that sends frames the relay must answer and never reads its socket: the answers
 * the relay queues for it stay bounded (its reads pause while its socket is full, and past
 * {@code maxControlBacklog} it ends the session with GO_AWAY FLOODING, or, if its reads paused first,
 * with KEEPALIVE_TIMEOUT), while another tenant keeps
 * being served and new sessions are accepted. One case per kind of answered frame.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AnswerFloodTest {
    /** Short, so that the GO_AWAY the flooder never reads is given up on within the test. */
    private static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(4);
    private static final Duration FLOOD_LIMIT = Duration.ofSeconds(30);
    private static final long FLOOD_BYTES_LIMIT = 256L << 20;
    /** The write-buffer high mark the relay pauses at, one read's worth of answers, and slack for TLS records. */
    private static final long OUTBOUND_BOUND = 512 * 1024 + ProtocolSettings.DEFAULT_MAX_CONTROL_BACKLOG + (256 * 1024);

    /** Frames that get an answer, each as a function of a running number. */
    enum Flood {
        PING(i -> frameBytes(Frames.ping(UnpooledByteBufAllocator.DEFAULT, i, false))),
        BIND_OF_UNKNOWN_KIND(i -> RawHandshake.bytes(new Bind(i, 99, 0, "flood"))),
        BIND_REFUSED_BY_THE_REGISTRY(i -> RawHandshake.bytes(new Bind(i, Bind.KIND_TCP, 1, "flood"))),
        BIND_OF_ANY_PORT(i -> RawHandshake.bytes(new Bind(i, Bind.KIND_TCP, 0, "flood")));

        final IntFunction<byte[]> frame;

        Flood(IntFunction<byte[]> frame) {
            this.frame = frame;
        }

        /** About 64 KiB of frames, numbered from {@code first}. */
        byte[] batch(int first) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(70_000);
            for (int i = first; out.size() < 64 * 1024; i++) {
                out.writeBytes(frame.apply(i));
            }
            return out.toByteArray();
        }
    }

    private LocalService echo;
    private RelayHarness h;
    private MuxSession good;

    @BeforeEach
    void start() throws Exception {
        echo = LocalService.echo(0);
        h = RelayHarness.over(Transport.TLS)
                // The answer rate as high as it goes, so that what these cases show is the backlog's bound;
                // aClientAskingFasterThanMaxAnswerRateIsEndedWithinASecondsWorth has the rate's.
                .relay(c -> c.withProtocol(ProtocolSettings.defaults().withKeepAlive(Duration.ofSeconds(1), KEEPALIVE_TIMEOUT)
                        .withMaxAnswerRate(Integer.MAX_VALUE)))
                .start(echo.port());
        good = h.relaySession();
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
        echo.close();
    }

    @ParameterizedTest
    @EnumSource(Flood.class)
    void aClientThatAsksForAnswersAndNeverReadsIsEndedForFloodingWithBoundedRelayMemory(Flood flood) throws Exception {
        InetSocketAddress control = h.relay().controlAddress();
        // A small receive buffer: the relay's answers back up within seconds, not after megabytes of kernel buffers.
        RawSession hostile = RawSession.openTls(control, RelayHarness.TOKEN, 1 << 20, 4096);
        Await.until(Duration.ofSeconds(5), "the hostile session on the relay", () -> h.relay().sessions().size() == 2);
        MuxSession relaySide = h.relay().sessions().stream().filter(s -> s != good).findFirst().orElseThrow();
        AtomicLong written = new AtomicLong();
        Thread writer = new Thread(() -> {
            long deadline = System.nanoTime() + FLOOD_LIMIT.toNanos();
            try {
                for (int i = 1; System.nanoTime() < deadline && written.get() < FLOOD_BYTES_LIMIT; ) {
                    byte[] batch = flood.batch(i);
                    i += 5_000;
                    hostile.write(batch);
                    written.addAndGet(batch.length);
                }
            } catch (IOException closedByRelay) {
                // the relay ended the session: what the flood provokes
            }
        }, "flooder");
        writer.setDaemon(true);
        writer.start();

        long maxOutbound = 0;
        long deadline = System.nanoTime() + FLOOD_LIMIT.toNanos();
        while (System.nanoTime() < deadline && !relaySide.whenClosed().isDone()) {
            maxOutbound = Math.max(maxOutbound, outboundBytes(relaySide));
            assertThat(h.request(h.publicPort(), "unaffected")).as("the other tenant during the flood").isEqualTo("unaffected");
            Thread.sleep(50);
        }
        assertThat(relaySide.whenClosed().await(KEEPALIVE_TIMEOUT.multipliedBy(3).toMillis()))
                .as("the flooding session ended (%d bytes written)", written.get()).isTrue();
        hostile.close();
        writer.join(10_000);
        System.out.printf("event=measured scenario=answer_flood flood=%s written_bytes=%d max_outbound_bytes=%d reason=\"%s\"%n",
                flood, written.get(), maxOutbound, relaySide.closeReason());
        // Either bound may be the one that ends it, by how much of the flood the relay read before its
        // socket filled (PROTOCOL.md, "Answers to a peer that does not read"); on a loaded machine
        // reads often pause first, and then the keep-alive ends the session, saying why.
        assertThat(relaySide.closeReason()).satisfiesAnyOf(
                reason -> assertThat(reason).contains("maxControlBacklog"),
                reason -> assertThat(reason).contains("the peer read nothing").contains("keepAliveTimeout"));
        assertThat(maxOutbound).as("bytes the relay queued for the flooder").isLessThanOrEqualTo(OUTBOUND_BOUND);
        Await.until(Duration.ofSeconds(5), "only the good session left", () -> h.relay().sessions().equals(List.of(good)));
        try (RawSession next = RawSession.openTls(control, RelayHarness.TOKEN, 1 << 20)) {
            next.sendBind(new Bind(1, Bind.KIND_TCP, 0, "after"));
            assertThat(next.awaitBindAnswer().type()).as("a new session's BIND is answered")
                    .isIn(FrameType.BIND_OK, FrameType.BIND_REFUSED);
        }
        assertThat(h.request(h.publicPort(), "after")).isEqualTo("after");
    }

    /**
     * With the default {@code maxAnswerRate}, a PING flood over TLS ends with FLOODING naming the rate,
     * within a second's worth of answers, long before the kernel's buffers let the backlog see it.
     */
    @Test
    void aClientAskingFasterThanMaxAnswerRateIsEndedWithinASecondsWorth() throws Exception {
        try (RelayHarness rated = RelayHarness.over(Transport.TLS)
                .relay(c -> c.withProtocol(ProtocolSettings.defaults().withKeepAlive(Duration.ofSeconds(1), KEEPALIVE_TIMEOUT)))
                .start(echo.port())) {
            MuxSession honest = rated.relaySession();
            InetSocketAddress control = rated.relay().controlAddress();
            try (RawSession hostile = RawSession.openTls(control, RelayHarness.TOKEN, 1 << 20)) {
                Await.until(Duration.ofSeconds(5), "the hostile session on the relay", () -> rated.relay().sessions().size() == 2);
                MuxSession relaySide = rated.relay().sessions().stream().filter(s -> s != honest).findFirst().orElseThrow();
                byte[] batch = Flood.PING.batch(1); // some 3,800 PINGs at once
                try {
                    hostile.write(batch);
                } catch (IOException closedByRelay) {
                    // the relay may end it while the batch is still on its way
                }
                assertThat(relaySide.whenClosed().await(KEEPALIVE_TIMEOUT.multipliedBy(3).toMillis())).isTrue();
                assertThat(relaySide.closeReason()).isEqualTo("more than " + ProtocolSettings.DEFAULT_MAX_ANSWER_RATE
                        + " frames asking for an answer within a second (maxAnswerRate)");
            }
            assertThat(rated.request(rated.publicPort(), "after")).isEqualTo("after");
            assertThat(honest.whenClosed().isDone()).as("the honest session").isFalse();
        }
    }

    static byte[] frameBytes(Frame frame) {
        try {
            ByteBuf header = Unpooled.buffer(Frame.HEADER_LENGTH);
            FrameEncoder.writeHeader(header, frame.type(), frame.flags(), frame.streamId(), frame.payload().readableBytes());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(RawHandshake.toArray(header));
            out.writeBytes(RawHandshake.toArray(frame.payload()));
            return out.toByteArray();
        } finally {
            frame.release();
        }
    }

    private static long outboundBytes(MuxSession session) throws Exception {
        Channel ch = ((ChannelFuture) session.whenClosed()).channel();
        return ch.eventLoop().submit(() -> {
            io.netty.channel.ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
            return b == null ? 0L : b.totalPendingWriteBytes();
        }).get(30, TimeUnit.SECONDS); // the loop may be busy with a whole read's worth of the flood
    }
}
