package dev.homeport.protocol.frame;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.homeport.protocol.frame.FrameCodec.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** PROTOCOL.md, "Frame header": layout, framing of a byte stream, and the header checks. */
class FrameHeaderTest {
    private static final int MAX_PAYLOAD = 64 * 1024;

    private final EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(MAX_PAYLOAD));

    @AfterEach
    void releaseEverything() {
        decoder.finishAndReleaseAll();
    }

    @Test
    void headerIsVersionTypeFlagsStreamIdLengthBigEndian() {
        EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
        encoder.writeOutbound(new Frame(FrameType.DATA, 0xABCD, 0x01020304, payload("hello")));

        ByteBuf header = encoder.readOutbound();
        ByteBuf body = encoder.readOutbound();
        try {
            assertThat(bytes(header)).containsExactly(
                    0x01,                   // version
                    0x0A,                   // type DATA
                    0xAB, 0xCD,             // flags
                    0x01, 0x02, 0x03, 0x04, // stream id
                    0x00, 0x00, 0x00, 0x05  // length
            );
            assertThat(body.toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
        } finally {
            header.release();
            body.release();
            encoder.finishAndReleaseAll();
        }
    }

    @Test
    void frameWithEmptyPayloadIsTheHeaderAlone() {
        ByteBuf wire = FrameCodec.encode(Frame.empty(FrameType.FIN, 7));
        try {
            assertThat(bytes(wire)).containsExactly(0x01, 0x0C, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0);
        } finally {
            wire.release();
        }
    }

    @Test
    void handWrittenHeaderDecodesToItsFields() {
        ByteBuf wire = wire(0x01, 0x0E, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 42);

        decoder.writeInbound(wire);

        Frame ping = decoder.readInbound();
        try {
            assertThat(ping.type()).isEqualTo(FrameType.PING);
            assertThat(ping.hasFlag(Frame.FLAG_ACK)).isTrue();
            assertThat(ping.streamId()).isZero();
            assertThat(ping.payload().readLong()).isEqualTo(42);
        } finally {
            ping.release();
        }
    }

    @ParameterizedTest
    @EnumSource(FrameType.class)
    void everyFrameTypeSurvivesEncodingAndDecoding(FrameType type) {
        int streamId = type.onStream() ? 0x7FFFFFFF : 0;
        Frame decoded = FrameCodec.roundTrip(new Frame(type, 0x8001, streamId, payload("payload of " + type)));
        try {
            assertThat(decoded.type()).isEqualTo(type);
            assertThat(decoded.flags()).isEqualTo(0x8001);
            assertThat(decoded.streamId()).isEqualTo(streamId);
            assertThat(decoded.payload().toString(StandardCharsets.US_ASCII)).isEqualTo("payload of " + type);
        } finally {
            decoded.release();
        }
    }

    @Test
    void bytesArrivingOneAtATimeStillMakeWholeFrames() {
        ByteBuf wire = FrameCodec.encode(
                Frame.data(1, payload("first")), Frame.empty(FrameType.FIN, 1), Frame.data(3, payload("second")));
        try {
            while (wire.isReadable()) {
                decoder.writeInbound(wire.readRetainedSlice(1));
            }
        } finally {
            wire.release();
        }

        assertThat(readAll()).containsExactly("DATA 1 first", "FIN 1 ", "DATA 3 second");
    }

    @Test
    void severalFramesInOneBufferAreAllDecoded() {
        decoder.writeInbound(FrameCodec.encode(
                Frame.data(1, payload("a")), Frame.data(2, payload("bb")), Frame.empty(FrameType.FIN, 2),
                new Frame(FrameType.PING, 0, 0, payload("12345678"))));

        assertThat(readAll()).containsExactly("DATA 1 a", "DATA 2 bb", "FIN 2 ", "PING 0 12345678");
    }

    @Test
    void payloadOfExactlyTheLimitIsAccepted() {
        ByteBuf big = ByteBufAllocator.DEFAULT.buffer(MAX_PAYLOAD).writeZero(MAX_PAYLOAD);

        decoder.writeInbound(FrameCodec.encode(Frame.data(1, big)));

        Frame frame = decoder.readInbound();
        assertThat(frame.payload().readableBytes()).isEqualTo(MAX_PAYLOAD);
        frame.release();
    }

    @ParameterizedTest
    @ValueSource(longs = {MAX_PAYLOAD + 1, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL})
    void oversizedLengthIsRejectedFromTheHeaderAlone(long length) {
        // Only the 12 header bytes are sent: the decoder must not wait for (or buffer) the payload.
        ByteBuf header = Unpooled.buffer(12).writeByte(1).writeByte(FrameType.DATA.code()).writeShort(0)
                .writeInt(1).writeInt((int) length);

        assertThat(decodeError(header)).satisfies(e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
            assertThat(e.getMessage()).isEqualTo("DATA frame payload of " + length + " bytes exceeds the limit of " + MAX_PAYLOAD);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 0xFF})
    void unknownVersionIsUnsupportedVersion(int version) {
        ProtocolException e = decodeError(wire(version, 0x0A, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0));

        assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(e.getMessage()).contains("frame version " + version + " is not supported");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 0xFF})
    void anUnknownVersionIsRefusedAtTheFirstByteWithoutWaitingForTheRestOfTheHeader(int version) {
        ProtocolException e = decodeError(wire(version));

        assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(e.getMessage()).isEqualTo("frame version " + version + " is not supported; this peer speaks version 1");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x10, 0x7F, 0xFF})
    void unknownTypeIsProtocolError(int type) {
        ProtocolException e = decodeError(wire(1, type, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));

        assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
        assertThat(e.getMessage()).isEqualTo("unknown frame type 0x" + Integer.toHexString(type));
    }

    @ParameterizedTest
    @EnumSource(value = FrameType.class, names = {"OPEN", "OPEN_REFUSED", "DATA", "FIN", "RESET"})
    void streamFrameWithStreamIdZeroIsProtocolError(FrameType type) {
        ProtocolException e = decodeError(wire(1, type.code(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));

        assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
        assertThat(e.getMessage()).isEqualTo(type + " frame needs a non-zero stream id");
    }

    @Test
    void windowUpdateOnStreamIdZeroIsTheSessionsCredit() {
        decoder.writeInbound(wire(0x01, 0x0B, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0x00, 0x10, 0x00, 0x00));

        Frame update = decoder.readInbound();
        try {
            assertThat(update.type()).isEqualTo(FrameType.WINDOW_UPDATE);
            assertThat(update.streamId()).isZero();
            assertThat(update.payload().readInt()).isEqualTo(1024 * 1024);
        } finally {
            update.release();
        }
    }

    @ParameterizedTest
    @EnumSource(value = FrameType.class, names = {"HELLO", "CHALLENGE", "AUTH", "WELCOME", "BIND", "BIND_OK",
            "BIND_REFUSED", "PING", "GO_AWAY"})
    void sessionFrameWithNonZeroStreamIdIsProtocolError(FrameType type) {
        ProtocolException e = decodeError(wire(1, type.code(), 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0));

        assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
        assertThat(e.getMessage()).isEqualTo(type + " frame must carry stream id 0, got 4294967295");
    }

    @Test
    void framesBeforeABadHeaderAreDeliveredAndEverythingAfterItIsDiscarded() {
        ByteBuf good = FrameCodec.encode(Frame.data(1, payload("before")));
        ByteBuf bad = wire(9, 0x0A, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 'x', 'y', 'z');
        ByteBuf after = FrameCodec.encode(Frame.data(1, payload("after")));

        ProtocolException e = decodeError(Unpooled.wrappedBuffer(good, bad, after));
        decoder.writeInbound(FrameCodec.encode(Frame.data(3, payload("later"))));

        assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(readAll()).containsExactly("DATA 1 before");
    }

    // ---- helpers ----

    private ProtocolException decodeError(ByteBuf wire) {
        Throwable thrown = catchThrowable(() -> decoder.writeInbound(wire));
        assertThat(thrown).isInstanceOf(DecoderException.class).hasCauseInstanceOf(ProtocolException.class);
        return (ProtocolException) thrown.getCause();
    }

    private List<String> readAll() {
        List<String> out = new ArrayList<>();
        for (Frame f; (f = decoder.readInbound()) != null; ) {
            out.add(f.type() + " " + f.streamId() + " " + f.payload().toString(StandardCharsets.US_ASCII));
            f.release();
        }
        return out;
    }

    private static ByteBuf payload(String s) {
        return ByteBufAllocator.DEFAULT.buffer().writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static ByteBuf wire(int... bytes) {
        ByteBuf b = ByteBufAllocator.DEFAULT.buffer(bytes.length);
        for (int x : bytes) {
            b.writeByte(x);
        }
        return b;
    }
}
