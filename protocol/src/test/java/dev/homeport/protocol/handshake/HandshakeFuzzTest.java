package dev.homeport.protocol.handshake;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.homeport.protocol.Documented;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.FrameDecoder;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.testsupport.FuzzChannel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;


import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of both handshake handlers behind the real frame codec (docs/fuzzing.md):
 * the fuzzer plays the client against the relay's handler, and the relay against the client's.
 * Invariants: no exception escapes; a failed handshake has closed the connection; by the handshake
 * deadline the connection is either through the handshake or closed; the relay never admits a
 * client that does not hold the token; no buffer left live.
 */
class HandshakeFuzzTest {
    private static final ProtocolSettings SETTINGS = ProtocolSettings.defaults().withMaxFramePayload(1024);
    private static final TokenKey KEY = TokenKey.fromToken("fuzz", "the-fuzzers-do-not-know-this-token");

    @FuzzTest(maxDuration = "20s")
    void theRelaysHandshakeAdmitsNoOneWithoutTheTokenAndEndsEveryOtherConnection(FuzzedDataProvider data) {
        Events events = new Events();
        try (FuzzChannel ch = new FuzzChannel(Documented::protocolError, new FrameDecoder(SETTINGS.maxFramePayload()), FrameEncoder.INSTANCE,
                new ServerHandshakeHandler(SETTINGS, id -> id == KEY.id() ? KEY : null), events)) {
            ch.channel().freezeTime();
            run(data, ch, events);
            assertThat(events.completed).as("a client without the token was admitted").isFalse();
        }
    }

    @FuzzTest(maxDuration = "20s")
    void theClientsHandshakeEndsInASessionOrAClosedConnection(FuzzedDataProvider data) {
        Events events = new Events();
        try (FuzzChannel ch = new FuzzChannel(Documented::protocolError, new FrameDecoder(SETTINGS.maxFramePayload()), FrameEncoder.INSTANCE,
                new ClientHandshakeHandler(SETTINGS, KEY, "fuzz/1"), events)) {
            ch.channel().freezeTime();
            run(data, ch, events);
        }
    }

    private static void run(FuzzedDataProvider data, FuzzChannel ch, Events events) {
        while (data.remainingBytes() > 0 && ch.channel().isOpen()) {
            ch.write(data.consumeBytes(data.consumeInt(1, 128)));
            ch.outbound().forEach(ReferenceCountUtil::release);
            if (events.failed) {
                assertThat(ch.channel().isOpen()).as("open after a failed handshake").isFalse();
            }
        }
        ch.channel().advanceTimeBy(SETTINGS.handshakeTimeout().toNanos() + 1, java.util.concurrent.TimeUnit.NANOSECONDS);
        ch.runTasks();
        ch.outbound().forEach(ReferenceCountUtil::release);
        assertThat(events.completed || !ch.channel().isOpen()).as("past the deadline, neither through the handshake nor closed").isTrue();
    }

    /** Notes the handshake's outcome and drops whatever passes after it (the session's frames). */
    private static final class Events extends ChannelInboundHandlerAdapter {
        boolean completed;
        boolean failed;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            completed |= evt instanceof HandshakeCompleted;
            failed |= evt instanceof HandshakeFailed;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
