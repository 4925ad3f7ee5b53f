package dev.homeport.e2e;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.protocol.mux.MuxSession;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that authenticates correctly and then misbehaves, frame by frame on a real socket: each
 * scenario ends (or stalls) only that client's session, with the reason in GO_AWAY, while a well
 * behaved client of the same relay keeps serving; and what the relay holds for it stays bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MaliciousClientTest {
    /** The relay's own limits: small, so that one frame can exceed them. */
    private static final int RELAY_MAX_FRAME = 4096;
    private static final int RELAY_INITIAL_WINDOW = 1024;
    /** Short, so that a client that says nothing at all is seen dead within the test. */
    private static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(5);

    private LocalService echo;
    private RelayHarness h;
    private MuxSession good;

    @BeforeEach
    void start() throws Exception {
        echo = LocalService.echo(0);
        h = RelayHarness.over(Transport.PLAIN)
                .relay(c -> c.withProtocol(ProtocolSettings.defaults().withMaxFramePayload(RELAY_MAX_FRAME)
                        .withWindows(RELAY_INITIAL_WINDOW, 16 << 20, 64L << 20)
                        .withKeepAlive(Duration.ofSeconds(1), KEEPALIVE_TIMEOUT)))
                .start(echo.port());
        good = h.relaySession();
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
        echo.close();
    }

    @Test
    void aFrameLengthOf0xFFFFFFFFEndsOnlyThatSessionWithFrameTooLarge() throws Exception {
        try (RawSession hostile = RawSession.open(h.relay().controlAddress(), RelayHarness.TOKEN, 1 << 20)) {
            hostile.send(FrameType.DATA, 1, 0xFFFFFFFFL, new byte[0]);
            assertEndedOnly(hostile, ErrorCode.FRAME_TOO_LARGE, "exceeds");
        }
    }

    @Test
    void aWindowUpdateThatLiftsTheSessionCreditPast2To31Minus1EndsOnlyThatSession() throws Exception {
        try (RawSession hostile = RawSession.open(h.relay().controlAddress(), RelayHarness.TOKEN, 1 << 20)) {
            hostile.send(FrameType.WINDOW_UPDATE, 0, 4, ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
            assertEndedOnly(hostile, ErrorCode.FLOW_CONTROL_ERROR, "2^31-1");
        }
    }

    @Test
    void dataBeyondTheStreamsGrantedWindowEndsOnlyThatSession() throws Exception {
        try (RawSession hostile = RawSession.open(h.relay().controlAddress(), RelayHarness.TOKEN, 1 << 20)) {
            int port = hostile.bindAnyPort();
            try (Socket visitor = h.connect(port, 0)) {
                int stream = hostile.awaitOpen();
                // One frame of twice the window the relay granted; nothing was delivered before it, so no credit came back.
                hostile.send(FrameType.DATA, stream, 2 * RELAY_INITIAL_WINDOW, new byte[2 * RELAY_INITIAL_WINDOW]);
                assertEndedOnly(hostile, ErrorCode.FLOW_CONTROL_ERROR, "credit");
                assertThat(endedByRelay(visitor)).as("the visitor's connection ends with the session").isTrue();
            }
        }
    }

    @Test
    void aClientThatOpensStreamsItselfEndsOnlyThatSession() throws Exception {
        // In version 1 only the relay opens streams, so a client cannot run the relay past its stream
        // limit; MuxSession's own limit is StreamLifecycleTest#openBeyondMaxConcurrentStreamsIsResetWithStreamLimit.
        try (RawSession hostile = RawSession.open(h.relay().controlAddress(), RelayHarness.TOKEN, 1 << 20)) {
            // One is enough, and only one is sent: the relay ends the session at the first, and frames
            // written after that would meet a closed socket, whose reset could discard the GO_AWAY unread.
            hostile.send(FrameType.OPEN, 2, 6, new byte[]{0, 0, 0, 1, 0, 0});
            assertEndedOnly(hostile, ErrorCode.PROTOCOL_ERROR, "OPEN");
        }
    }

    @Test
    void aClientThatNeverGrantsCreditStallsItsStreamWithBoundedRelayMemoryAndIsEndedAsDeadWhenSilent() throws Exception {
        try (RawSession hostile = RawSession.open(h.relay().controlAddress(), RelayHarness.TOKEN, 1024)) {
            int port = hostile.bindAnyPort();
            MuxSession relaySide = h.relay().sessions().stream().filter(s -> s != good).findFirst().orElseThrow();
            Socket visitor = h.connect(port, 0);
            int stream = hostile.awaitOpen();
            AtomicLong pushed = new AtomicLong();
            long offered = 64L << 20;
            Thread pusher = new Thread(() -> push(visitor, offered, pushed), "public-pusher");
            pusher.setDaemon(true);
            pusher.start();
            AtomicLong dataReceived = new AtomicLong();
            AtomicReference<GoAway> goAway = new AtomicReference<>();
            Thread reader = new Thread(() -> drain(hostile, stream, dataReceived, goAway), "hostile-reader");
            reader.setDaemon(true);
            reader.start();

            // The public side stops being read once the stream's credit and read-ahead are used up.
            awaitStable(pushed);
            long unsent = relaySide.unsentBytes().get(5, TimeUnit.SECONDS);
            long outbound = outboundBytes(relaySide);
            long readAhead = 4L * 65536;
            long oneRead = 1 << 20;
            assertThat(dataReceived.get()).as("DATA the hostile client got: exactly its window").isEqualTo(1024);
            assertThat(unsent).as("bytes the relay holds for the stalled stream").isLessThanOrEqualTo(readAhead + oneRead);
            assertThat(outbound).as("bytes queued on the hostile session's socket").isLessThanOrEqualTo(512 * 1024);
            assertThat(pushed.get()).as("the visitor is held back by TCP, not buffered by the relay").isLessThan(offered);
            assertThat(h.request(h.publicPort(), "unaffected")).isEqualTo("unaffected");

            // It never answers a PING either: the relay ends its session, and only its session, as dead.
            Await.until(KEEPALIVE_TIMEOUT.multipliedBy(3), "the silent client's session ended", () -> goAway.get() != null);
            assertThat(goAway.get().code()).isEqualTo(ErrorCode.KEEPALIVE_TIMEOUT);
            Await.until(Duration.ofSeconds(5), "only the good session left", () -> h.relay().sessions().equals(List.of(good)));
            assertThat(h.request(h.publicPort(), "still unaffected")).isEqualTo("still unaffected");
            visitor.close();
        }
    }

    @Test
    void anExceptionInOneSessionsPipelineEndsThatSessionOnly() throws Exception {
        LocalService echo2 = LocalService.echo(0);
        try {
            int otherPort = h.expose(echo2.port());
            MuxSession victim = good;
            Channel channel = ((ChannelFuture) victim.whenClosed()).channel();
            String muxName = channel.pipeline().context(victim).name();
            channel.pipeline().addBefore(muxName, "throws-on-data", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof Frame f && f.type() == FrameType.DATA) {
                        f.release();
                        throw new IllegalStateException("injected failure");
                    }
                    ctx.fireChannelRead(msg);
                }
            });
            try {
                h.request(h.publicPort(), "trigger"); // the client's echo comes back as DATA and hits the handler
            } catch (IOException ended) {
                // the stream ends with its session: a reset is as good as an end of stream here
            }
            assertThat(victim.whenClosed().await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(victim.closeReason()).isEqualTo("internal error");
            assertThat(h.relay().sessions()).doesNotContain(victim).isNotEmpty();
            assertThat(h.request(otherPort, "still serving")).isEqualTo("still serving");
        } finally {
            echo2.close();
        }
    }

    // ---- helpers ----

    private void assertEndedOnly(RawSession hostile, ErrorCode code, String reasonPart) throws Exception {
        GoAway goAway = hostile.awaitGoAway();
        assertThat(goAway).as("GO_AWAY before the relay closed").isNotNull();
        assertThat(goAway.code()).isEqualTo(code);
        assertThat(goAway.message()).contains(reasonPart);
        assertThat(hostile.closedByRelay()).isTrue();
        Await.until(Duration.ofSeconds(5), "only the good session left", () -> h.relay().sessions().equals(List.of(good)));
        assertThat(h.request(h.publicPort(), "unaffected")).isEqualTo("unaffected");
    }

    /** End of stream or a reset: either way the relay ended the connection. */
    private static boolean endedByRelay(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private static void push(Socket visitor, long offered, AtomicLong pushed) {
        byte[] chunk = new byte[64 * 1024];
        try {
            OutputStream out = visitor.getOutputStream();
            while (pushed.get() < offered) {
                out.write(chunk);
                pushed.addAndGet(chunk.length);
            }
        } catch (IOException closed) {
            // the test closed the visitor
        }
    }

    private static void drain(RawSession hostile, int stream, AtomicLong dataReceived, AtomicReference<GoAway> goAway) {
        try {
            while (true) {
                Frame f = hostile.next();
                if (f.type() == FrameType.DATA && f.streamId() == stream) {
                    dataReceived.addAndGet(f.payload().readableBytes());
                } else if (f.type() == FrameType.GO_AWAY) {
                    goAway.set(GoAway.decode(f.payload()));
                }
            }
        } catch (IOException ended) {
            // the test closed the session
        }
    }

    /** Waits until {@code counter} stops moving for half a second: the writer is blocked. */
    private static void awaitStable(AtomicLong counter) {
        long last = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            long now = counter.get();
            if (now == last && now > 0) {
                return;
            }
            last = now;
            Await.sleep(Duration.ofMillis(500));
        }
        throw new AssertionError("the public writer never stalled: " + counter.get() + " bytes pushed");
    }

    private static long outboundBytes(MuxSession session) throws Exception {
        Channel ch = ((ChannelFuture) session.whenClosed()).channel();
        return ch.eventLoop().submit(() -> {
            io.netty.channel.ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
            return b == null ? 0L : b.totalPendingWriteBytes();
        }).get(5, TimeUnit.SECONDS);
    }
}
