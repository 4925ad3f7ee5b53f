package dev.homeport.protocol.message;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameCodec;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.homeport.protocol.frame.FrameCodec.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PROTOCOL.md, "Frame types" and "Extensibility": every payload's layout, field by field. */
class FrameTypesTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final byte[] CLIENT_NONCE = filled(32, 0x11);
    private static final byte[] SERVER_NONCE = filled(32, 0x22);
    private static final byte[] MAC = filled(32, 0x33);

    /**
     * A control message, its stream id, the payload the spec prescribes for it, and its decoder;
     * {@code addedLater} counts, for each older release, the trailing bytes of fields added after it
     * shipped, which a payload from such a peer lacks (newest release first).
     */
    record Case(String name, ControlMessage message, int streamId, Consumer<ByteBuf> layout,
                Function<ByteBuf, Object> decoder, int... addedLater) {
        Case(String name, ControlMessage message, int streamId, Consumer<ByteBuf> layout, Function<ByteBuf, Object> decoder) {
            this(name, message, streamId, layout, decoder, new int[0]);
        }

        boolean olderPeersComplete(int cut) {
            return Arrays.stream(addedLater).anyMatch(a -> a == cut);
        }

        @Override
        public String toString() {
            return name;
        }

        byte[] specBytes() {
            ByteBuf b = ALLOC.buffer();
            try {
                layout.accept(b);
                return bytes(b);
            } finally {
                b.release();
            }
        }
    }

    static Stream<Case> controlMessages() {
        return Stream.of(
                new Case("HELLO", new Hello(1, 3, CLIENT_NONCE, 512 * 1024, 65536, "homeport/0.1"), 0, b -> {
                    b.writeByte(1).writeByte(3).writeBytes(CLIENT_NONCE).writeInt(512 * 1024).writeInt(65536);
                    string(b, "homeport/0.1");
                }, Hello::decode),
                new Case("CHALLENGE", new Challenge(1, SERVER_NONCE), 0,
                        b -> b.writeByte(1).writeBytes(SERVER_NONCE), Challenge::decode),
                new Case("AUTH", new Auth(0x0102030405060708L, MAC), 0,
                        b -> b.writeLong(0x0102030405060708L).writeBytes(MAC), Auth::decode),
                new Case("WELCOME", new Welcome(1 << 20, 16384, 100, "a1b2c3d4e5f6"), 0, b -> {
                    b.writeInt(1 << 20).writeInt(16384).writeInt(100);
                    string(b, "a1b2c3d4e5f6");
                }, Welcome::decode),
                new Case("BIND", new Bind(7, Bind.KIND_TCP, 8888, "jupyter"), 0, b -> {
                    b.writeInt(7).writeByte(1).writeShort(8888);
                    string(b, "jupyter");
                    string(b, "");
                    b.writeByte(0);
                    string(b, "");
                    string(b, "");
                    b.writeLong(0);
                    b.writeLong(0);
                }, Bind::decode, 8, 8 + 8, 8 + 8 + 5, 8 + 8 + 5 + 2),
                new Case("BIND", new Bind(8, Bind.KIND_HTTP, 0, "lab", "jupyter.example.com"), 0, b -> {
                    b.writeInt(8).writeByte(2).writeShort(0);
                    string(b, "lab");
                    string(b, "jupyter.example.com");
                    b.writeByte(0);
                    string(b, "");
                    string(b, "");
                    b.writeLong(0);
                    b.writeLong(0);
                }, Bind::decode, 8, 8 + 8, 8 + 8 + 5, 8 + 8 + 5 + 2 + "jupyter.example.com".length()),
                new Case("BIND", new Bind(9, Bind.KIND_HTTP, 0, "lab", "jupyter.example.com", Bind.FLAG_HTTPS_ONLY,
                        "ana:s3cret", "192.0.2.0/24,2001:db8::/32", 0x0102030405060708L), 0, b -> {
                    b.writeInt(9).writeByte(2).writeShort(0);
                    string(b, "lab");
                    string(b, "jupyter.example.com");
                    b.writeByte(0x01);
                    string(b, "ana:s3cret");
                    string(b, "192.0.2.0/24,2001:db8::/32");
                    b.writeLong(0x0102030405060708L);
                    b.writeLong(0);
                }, Bind::decode, 8, 8 + 8, 8 + 8 + 5 + 10 + 26, 8 + 8 + 5 + 10 + 26 + 2 + "jupyter.example.com".length()),
                new Case("BIND", new Bind(10, Bind.KIND_TLS, 0, "nas", "nas.example.com", 0, "", "10.0.0.0/8"), 0, b -> {
                    b.writeInt(10).writeByte(3).writeShort(0);
                    string(b, "nas");
                    string(b, "nas.example.com");
                    b.writeByte(0);
                    string(b, "");
                    string(b, "10.0.0.0/8");
                    b.writeLong(0);
                    b.writeLong(0);
                }, Bind::decode, 8, 8 + 8, 8 + 8 + 5 + 10, 8 + 8 + 5 + 10 + 2 + "nas.example.com".length()),
                // PROTOCOL.md, "Pools": flag POOL (0x2), the client's instance, the same in each of its sessions, and its connection number.
                new Case("BIND", new Bind(11, Bind.KIND_TCP, 40000, "api", "", Bind.FLAG_POOL, "", "", -2L, 3), 0, b -> {
                    b.writeInt(11).writeByte(1).writeShort(40000);
                    string(b, "api");
                    string(b, "");
                    b.writeByte(0x02);
                    string(b, "");
                    string(b, "");
                    b.writeLong(0xFFFFFFFFFFFFFFFEL);
                    b.writeLong(3);
                }, Bind::decode, 8, 8 + 8, 8 + 8 + 5, 8 + 8 + 5 + 2),
                new Case("BIND_OK", new BindOk(7, 3, 40000, "relay.example.org"), 0, b -> {
                    b.writeInt(7).writeInt(3).writeShort(40000);
                    string(b, "relay.example.org");
                }, BindOk::decode),
                new Case("BIND_REFUSED", new BindRefused(7, ErrorCode.BIND_UNAVAILABLE, "no port free"), 0, b -> {
                    b.writeInt(7).writeInt(12);
                    string(b, "no port free");
                }, BindRefused::decode),
                new Case("OPEN", new Open(3, "203.0.113.9:51234"), 5, b -> {
                    b.writeInt(3);
                    string(b, "203.0.113.9:51234");
                    b.writeByte(0); // family: no addresses
                }, Open::decode, 1),
                new Case("OPEN", new Open(3, "203.0.113.9:51234", new PeerEndpoints(
                        new InetSocketAddress("203.0.113.9", 51234), new InetSocketAddress("198.51.100.1", 443))), 5, b -> {
                    b.writeInt(3);
                    string(b, "203.0.113.9:51234");
                    b.writeByte(4).writeBytes(new byte[]{(byte) 203, 0, 113, 9}).writeShort(51234)
                            .writeBytes(new byte[]{(byte) 198, 51, 100, 1}).writeShort(443);
                }, Open::decode, 1 + 12),
                new Case("OPEN_REFUSED", new OpenRefused(ErrorCode.LOCAL_UNREACHABLE, "connection refused"), 5, b -> {
                    b.writeInt(10);
                    string(b, "connection refused");
                }, OpenRefused::decode),
                new Case("GO_AWAY", new GoAway(ErrorCode.SHUTDOWN, "relay restarting"), 0, b -> {
                    b.writeInt(13);
                    string(b, "relay restarting");
                }, GoAway::decode));
    }

    @ParameterizedTest
    @MethodSource("controlMessages")
    void payloadIsLaidOutAsTheSpecSays(Case c) {
        Frame frame = c.message().toFrame(ALLOC, c.streamId());
        try {
            assertThat(frame.type().name()).isEqualTo(c.name());
            assertThat(frame.streamId()).isEqualTo(c.streamId());
            assertThat(frame.flags()).isZero();
            assertThat(bytes(frame.payload())).containsExactly(c.specBytes());
        } finally {
            frame.release();
        }
    }

    @ParameterizedTest
    @MethodSource("controlMessages")
    void messageSurvivesTheWire(Case c) {
        Frame decoded = FrameCodec.roundTrip(c.message().toFrame(ALLOC, c.streamId()));
        try {
            assertThat(c.decoder().apply(decoded.payload())).usingRecursiveComparison().isEqualTo(c.message());
        } finally {
            decoded.release();
        }
    }

    @ParameterizedTest
    @MethodSource("controlMessages")
    void everyTruncatedPayloadIsAClearProtocolError(Case c) {
        byte[] full = c.specBytes();
        for (int length = 0; length < full.length; length++) {
            if (c.olderPeersComplete(full.length - length)) {
                continue; // an older peer's complete payload: see payloadFromAnOlderPeerDecodesWithDefaults
            }
            Frame frame = decodeFromWire(c.message().type(), c.streamId(), Arrays.copyOf(full, length));
            try {
                assertThatThrownBy(() -> c.decoder().apply(frame.payload()))
                        .as("%s cut to %d of %d bytes", c.name(), length, full.length)
                        .isInstanceOfSatisfying(ProtocolException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
                            assertThat(e.getMessage()).matches(c.name() + " payload truncated at field \\w+: needs \\d+ more bytes, has \\d+");
                        });
            } finally {
                frame.release();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("controlMessages")
    void bytesAfterTheKnownFieldsAreIgnored(Case c) {
        byte[] extended = Arrays.copyOf(c.specBytes(), c.specBytes().length + 5);
        Frame frame = decodeFromWire(c.message().type(), c.streamId(), extended);
        try {
            assertThat(c.decoder().apply(frame.payload())).usingRecursiveComparison().isEqualTo(c.message());
        } finally {
            frame.release();
        }
    }

    @ParameterizedTest
    @MethodSource("controlMessages")
    void payloadFromAnOlderPeerDecodesWithDefaults(Case c) {
        byte[] full = c.specBytes();
        for (int release = 0; release < c.addedLater().length; release++) {
            int cut = c.addedLater()[release];
            Frame frame = decodeFromWire(c.message().type(), c.streamId(), Arrays.copyOf(full, full.length - cut));
            try {
                if (c.message() instanceof Open sent) {
                    // A relay before "OPEN addresses" ended the payload after peer_address: no addresses.
                    assertThat(c.decoder().apply(frame.payload())).as("%s from the release before the newest", c.name())
                            .isEqualTo(new Open(sent.tunnelId(), sent.peerAddress(), PeerEndpoints.UNKNOWN));
                    continue;
                }
                Bind bind = (Bind) c.decoder().apply(frame.payload());
                Bind sent = (Bind) c.message();
                // Release 1 knew no hostname, release 2 no access rules, release 3 no instance, release 4 no connection
                // (PROTOCOL.md, "Tunnels").
                Bind expected = switch (release) {
                    case 0 -> new Bind(sent.requestId(), sent.kind(), sent.port(), sent.name(), sent.hostname(), sent.flags(),
                            sent.basicAuth(), sent.allowFrom(), sent.instance());
                    case 1 -> new Bind(sent.requestId(), sent.kind(), sent.port(), sent.name(), sent.hostname(), sent.flags(),
                            sent.basicAuth(), sent.allowFrom());
                    case 2 -> new Bind(sent.requestId(), sent.kind(), sent.port(), sent.name(), sent.hostname());
                    default -> new Bind(sent.requestId(), sent.kind(), sent.port(), sent.name());
                };
                assertThat(bind).as("%s from the release before the newest %d", c.name(), release + 1).isEqualTo(expected);
            } finally {
                frame.release();
            }
        }
    }

    @Test
    void typeCodesAreTheWireValuesOfTheSpec() {
        assertThat(Stream.of(FrameType.values()).map(t -> String.format("0x%02X %s", t.code(), t)).toList())
                .containsExactly("0x01 HELLO", "0x02 CHALLENGE", "0x03 AUTH", "0x04 WELCOME", "0x05 BIND",
                        "0x06 BIND_OK", "0x07 BIND_REFUSED", "0x08 OPEN", "0x09 OPEN_REFUSED", "0x0A DATA",
                        "0x0B WINDOW_UPDATE", "0x0C FIN", "0x0D RESET", "0x0E PING", "0x0F GO_AWAY");
        assertThat(Stream.of(FrameType.values()).filter(FrameType::onStream).toList())
                .containsExactly(FrameType.OPEN, FrameType.OPEN_REFUSED, FrameType.DATA, FrameType.WINDOW_UPDATE,
                        FrameType.FIN, FrameType.RESET);
    }

    // ---- the fixed-size frames ----

    @Test
    void windowUpdateIsOneU32Increment() {
        Frame frame = FrameCodec.roundTrip(Frames.windowUpdate(ALLOC, 9, 0x7FFFFFFF));
        try {
            assertThat(frame.type()).isEqualTo(FrameType.WINDOW_UPDATE);
            assertThat(frame.streamId()).isEqualTo(9);
            assertThat(bytes(frame.payload())).containsExactly(0x7F, 0xFF, 0xFF, 0xFF);
            assertThat(Frames.windowIncrement(frame)).isEqualTo(0x7FFFFFFF);
        } finally {
            frame.release();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 0x80000000, 0xFFFFFFFF})
    void windowUpdateOfZeroOrWithTheTopBitSetIsProtocolError(int increment) {
        Frame frame = decodeFromWire(FrameType.WINDOW_UPDATE, 1, u32(increment));
        try {
            assertThatThrownBy(() -> Frames.windowIncrement(frame))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
                        assertThat(e.getMessage()).isEqualTo("WINDOW_UPDATE increment must be 1 to 2^31-1, got "
                                + Integer.toUnsignedString(increment));
                    });
        } finally {
            frame.release();
        }
    }

    @Test
    void senderRefusesToBuildAnEmptyWindowUpdate() {
        assertThatThrownBy(() -> Frames.windowUpdate(ALLOC, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Frames.windowUpdate(ALLOC, 1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resetIsOneU32Code() {
        Frame frame = FrameCodec.roundTrip(Frames.reset(ALLOC, 4, ErrorCode.STREAM_CLOSED));
        try {
            assertThat(frame.type()).isEqualTo(FrameType.RESET);
            assertThat(bytes(frame.payload())).containsExactly(0, 0, 0, 8);
            assertThat(Frames.resetCode(frame)).isEqualTo(ErrorCode.STREAM_CLOSED);
        } finally {
            frame.release();
        }
    }

    @Test
    void pingIsOneOpaqueU64AndItsAnswerCarriesTheAckFlag() {
        Frame ping = FrameCodec.roundTrip(Frames.ping(ALLOC, 0x1122334455667788L, false));
        Frame pong = FrameCodec.roundTrip(Frames.ping(ALLOC, 0x1122334455667788L, true));
        try {
            assertThat(bytes(ping.payload())).containsExactly(0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88);
            assertThat(ping.hasFlag(Frame.FLAG_ACK)).isFalse();
            assertThat(pong.flags()).isEqualTo(Frame.FLAG_ACK);
            assertThat(Frames.pingOpaque(pong)).isEqualTo(0x1122334455667788L);
        } finally {
            ping.release();
            pong.release();
        }
    }

    @Test
    void finIsAnEmptyStreamFrame() {
        Frame fin = FrameCodec.roundTrip(Frame.empty(FrameType.FIN, 11));
        try {
            assertThat(fin.type()).isEqualTo(FrameType.FIN);
            assertThat(fin.streamId()).isEqualTo(11);
            assertThat(fin.payload().readableBytes()).isZero();
        } finally {
            fin.release();
        }
    }

    @Test
    void dataPayloadIsPassedOnUntouched() {
        byte[] bytes = new byte[1000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        Frame data = FrameCodec.roundTrip(Frame.data(3, ALLOC.buffer().writeBytes(bytes)));
        try {
            assertThat(bytes(data.payload())).containsExactly(bytes);
        } finally {
            data.release();
        }
    }

    @Test
    void truncatedFixedSizeFramesAreProtocolErrors() {
        Frame update = decodeFromWire(FrameType.WINDOW_UPDATE, 1, new byte[3]);
        Frame reset = decodeFromWire(FrameType.RESET, 1, new byte[2]);
        Frame ping = decodeFromWire(FrameType.PING, 0, new byte[7]);
        try {
            assertThatThrownBy(() -> Frames.windowIncrement(update)).hasMessage(
                    "WINDOW_UPDATE payload truncated at field increment: needs 4 more bytes, has 3");
            assertThatThrownBy(() -> Frames.resetCode(reset)).hasMessage(
                    "RESET payload truncated at field code: needs 4 more bytes, has 2");
            assertThatThrownBy(() -> Frames.pingOpaque(ping)).hasMessage(
                    "PING payload truncated at field opaque: needs 8 more bytes, has 7");
        } finally {
            update.release();
            reset.release();
            ping.release();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {20, 1000, -1})
    void errorCodeFromANewerPeerReadsAsInternalError(int code) {
        Frame reset = decodeFromWire(FrameType.RESET, 1, u32(code));
        Frame goAway = decodeFromWire(FrameType.GO_AWAY, 0, concat(u32(code), new byte[] {0, 2, 'h', 'i'}));
        try {
            assertThat(Frames.resetCode(reset)).isEqualTo(ErrorCode.INTERNAL_ERROR);
            assertThat(GoAway.decode(goAway.payload())).isEqualTo(new GoAway(ErrorCode.INTERNAL_ERROR, "hi"));
        } finally {
            reset.release();
            goAway.release();
        }
    }

    // ---- helpers ----

    /** A frame as the receiver's decoder hands it over, built from raw payload bytes. */
    static Frame decodeFromWire(FrameType type, int streamId, byte[] payload) {
        ByteBuf wire = ALLOC.buffer();
        wire.writeByte(1).writeByte(type.code()).writeShort(0).writeInt(streamId).writeInt(payload.length).writeBytes(payload);
        List<Frame> frames = FrameCodec.decode(1 << 20, wire);
        assertThat(frames).hasSize(1);
        return frames.get(0);
    }

    private static void string(ByteBuf b, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        b.writeShort(utf8.length).writeBytes(utf8);
    }

    private static byte[] u32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
