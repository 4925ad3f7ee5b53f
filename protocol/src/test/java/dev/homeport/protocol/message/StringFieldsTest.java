package dev.homeport.protocol.message;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameCodec;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PROTOCOL.md, "Strings": u16 byte count, UTF-8, at most 1024 bytes. */
class StringFieldsTest {

    @Test
    void stringIsAU16ByteCountThenUtf8() {
        Frame frame = new GoAway(ErrorCode.NO_ERROR, "zürich").toFrame(ByteBufAllocator.DEFAULT);
        try {
            assertThat(FrameCodec.bytes(frame.payload())).containsExactly(
                    0, 0, 0, 0,                         // code
                    0, 7,                               // 7 bytes: ü is two
                    'z', 0xC3, 0xBC, 'r', 'i', 'c', 'h');
        } finally {
            frame.release();
        }
    }

    @Test
    void stringOfExactly1024BytesIsAccepted() {
        String longest = "€".repeat(341) + "x"; // 341 × 3 + 1 = 1024 bytes
        Frame decoded = FrameCodec.roundTrip(new Open(1, longest).toFrame(ByteBufAllocator.DEFAULT, 1));
        try {
            assertThat(Open.decode(decoded.payload()).peerAddress()).isEqualTo(longest);
        } finally {
            decoded.release();
        }
    }

    @Test
    void limitCountsBytesNotCharactersAndSenderRefusesLongerStringsWithoutLeaking() {
        String tooLong = "€".repeat(342); // 342 characters, 1026 bytes
        CountingAllocator alloc = new CountingAllocator();

        assertThatThrownBy(() -> new Open(1, tooLong).toFrame(alloc))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("string field of 1026 bytes exceeds 1024");
        assertThatThrownBy(() -> new Bind(1, Bind.KIND_TCP, 0, "x".repeat(1025)).toFrame(alloc))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(alloc.unreleased()).as("buffers allocated but never released").isZero();
    }

    @Test
    void reasonsLongerThan1024BytesAreShortenedNotRefused() {
        String tooLong = "€".repeat(342) + "end";
        GoAway goAway = new GoAway(ErrorCode.INTERNAL_ERROR, tooLong);
        assertThat(goAway.message()).endsWith("...").doesNotContain("end");
        assertThat(goAway.message().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024);
        Frame frame = goAway.toFrame(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
        try {
            assertThat(GoAway.decode(frame.payload())).isEqualTo(goAway);
        } finally {
            frame.release();
        }
    }

    @Test
    void receivedStringLongerThan1024BytesIsProtocolErrorEvenWhenTheBytesAreThere() {
        byte[] payload = new byte[4 + 2 + 1025];
        payload[4] = (byte) (1025 >>> 8);
        payload[5] = (byte) 1025;
        Arrays.fill(payload, 6, payload.length, (byte) 'a');
        Frame frame = FrameTypesTest.decodeFromWire(FrameType.OPEN, 1, payload);
        try {
            assertThatThrownBy(() -> Open.decode(frame.payload()))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
                        assertThat(e.getMessage()).isEqualTo("OPEN field peerAddress is 1025 bytes; the limit is 1024");
                    });
        } finally {
            frame.release();
        }
    }

    @Test
    void malformedUtf8IsReplacedNotRejected() {
        Frame frame = FrameTypesTest.decodeFromWire(FrameType.GO_AWAY, 0, new byte[] {0, 0, 0, 0, 0, 3, 'o', (byte) 0xFF, 'k'});
        try {
            assertThat(GoAway.decode(frame.payload()).message()).isEqualTo("o\uFFFDk");
        } finally {
            frame.release();
        }
    }

    @Test
    void emptyStringIsTwoZeroBytes() {
        Frame frame = new OpenRefused(ErrorCode.CANCELLED, "").toFrame(ByteBufAllocator.DEFAULT, 3);
        try {
            assertThat(FrameCodec.bytes(frame.payload())).containsExactly(0, 0, 0, 9, 0, 0);
            assertThat(OpenRefused.decode(frame.payload()).message()).isEmpty();
        } finally {
            frame.release();
        }
    }

    /** Remembers every buffer it hands out, so a test can tell whether all were released. */
    private static final class CountingAllocator extends AbstractByteBufAllocator {
        private final List<ByteBuf> allocated = new ArrayList<>();

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return track(UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return track(UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        private ByteBuf track(ByteBuf b) {
            allocated.add(b);
            return b;
        }

        long unreleased() {
            long n = allocated.stream().filter(b -> b.refCnt() > 0).count();
            allocated.forEach(b -> {
                if (b.refCnt() > 0) {
                    b.release(b.refCnt());
                }
            });
            return n;
        }
    }
}
