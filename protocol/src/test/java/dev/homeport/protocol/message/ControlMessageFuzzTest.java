package dev.homeport.protocol.message;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of every control message's decoder (docs/fuzzing.md): any payload for any
 * frame type. Invariants: a payload decodes or fails with ProtocolException only; what decodes
 * encodes again, and that encoding decodes to the same bytes (a peer can never be made to send what
 * it cannot read back); no buffer stays live.
 */
class ControlMessageFuzzTest {
    private static final Map<FrameType, Function<ByteBuf, ControlMessage>> DECODERS = Map.of(
            FrameType.HELLO, Hello::decode,
            FrameType.CHALLENGE, Challenge::decode,
            FrameType.AUTH, Auth::decode,
            FrameType.WELCOME, Welcome::decode,
            FrameType.BIND, Bind::decode,
            FrameType.BIND_OK, BindOk::decode,
            FrameType.BIND_REFUSED, BindRefused::decode,
            FrameType.OPEN, Open::decode,
            FrameType.OPEN_REFUSED, OpenRefused::decode,
            FrameType.GO_AWAY, GoAway::decode);
    private static final FrameType[] TYPES = FrameType.values();

    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);

    @FuzzTest(maxDuration = "20s")
    void everyPayloadDecodesToAMessageThatEncodesBackOrIsAProtocolError(FuzzedDataProvider data) {
        FrameType type = TYPES[data.consumeInt(0, TYPES.length - 1)];
        byte[] payload = data.consumeRemainingAsBytes();
        ByteBuf in = alloc.heapBuffer(payload.length).writeBytes(payload);
        Frame frame = new Frame(type, 0, type.onStream() ? 1 : 0, in);
        try {
            Function<ByteBuf, ControlMessage> decoder = DECODERS.get(type);
            if (decoder == null) {
                fieldsOf(frame);
                return;
            }
            ControlMessage message = decoder.apply(in);
            byte[] once = encode(message, frame.streamId());
            ByteBuf again = alloc.heapBuffer(once.length).writeBytes(once);
            byte[] twice;
            try {
                twice = encode(decoder.apply(again), frame.streamId());
            } finally {
                again.release();
            }
            assertThat(twice).as("%s encoded, decoded and encoded again", type).isEqualTo(once);
        } catch (ProtocolException documented) {
            // a malformed payload: the receiver ends the session with this error
        } finally {
            frame.release();
        }
        assertThat(alloc.metric().usedHeapMemory()).as("bytes still live").isZero();
    }

    /** The frames whose fields are read in place rather than by a message type. */
    private static void fieldsOf(Frame frame) {
        switch (frame.type()) {
            case WINDOW_UPDATE -> assertThat(Frames.windowIncrement(frame)).isBetween(1, Integer.MAX_VALUE);
            case RESET -> assertThat(Frames.resetCode(frame)).isNotNull();
            case PING -> Frames.pingOpaque(frame);
            default -> {
                // DATA and FIN: opaque or empty
            }
        }
    }

    private byte[] encode(ControlMessage message, int streamId) {
        Frame f = message.toFrame(alloc, streamId);
        try {
            return ByteBufUtil.getBytes(f.payload());
        } finally {
            f.release();
        }
    }
}
