package dev.homeport.protocol.transport;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.homeport.protocol.Documented;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameDecoder;
import dev.homeport.testsupport.FuzzChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.ReferenceCountUtil;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the WebSocket transport as the relay runs it (docs/fuzzing.md): Netty's
 * WebSocket frame decoder (masked client frames), the {@link WebSocketFrameAdapter}, and the frame
 * decoder, fed any bytes in any fragments. Invariants: only WebSocket framing errors (which Netty
 * answers with a close) or PROTOCOL.md's errors, only well-formed frames out, no buffer left live.
 */
class WebSocketFrameAdapterFuzzTest {
    private static final int MAX_PAYLOAD = 1024;

    @FuzzTest(maxDuration = "20s")
    void anyWebSocketBytesBecomeValidFramesOrADocumentedError(FuzzedDataProvider data) {
        WebSocketDecoderConfig config = WebSocketDecoderConfig.newBuilder().expectMaskedFrames(true).allowExtensions(false)
                .maxFramePayloadLength(64 * 1024).build();
        try (FuzzChannel ch = new FuzzChannel(WebSocketFrameAdapterFuzzTest::documented,
                new WebSocket13FrameDecoder(config), new WebSocketFrameAdapter(), new FrameDecoder(MAX_PAYLOAD))) {
            while (data.remainingBytes() > 0 && ch.channel().isOpen()) {
                ch.write(data.consumeBytes(data.consumeInt(1, 96)));
                for (Object o : ch.inbound()) {
                    try {
                        assertThat(o).isInstanceOf(Frame.class);
                        assertThat(((Frame) o).payload().readableBytes()).isLessThanOrEqualTo(MAX_PAYLOAD);
                    } finally {
                        ReferenceCountUtil.release(o);
                    }
                }
                ch.outbound().forEach(ReferenceCountUtil::release); // Netty's close frame on a protocol violation
            }
        }
    }

    private static boolean documented(Throwable t) {
        return Documented.protocolError(t) || t instanceof CorruptedFrameException || t instanceof TooLongFrameException;
    }
}
