package dev.homeport.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The far-end protocol of README.md "serve", one mode at a time, without sockets. */
class FarEndModesTest {

    private static EmbeddedChannel farEnd() {
        return new EmbeddedChannel(new ModeSelector());
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static long drainOutbound(EmbeddedChannel ch) {
        long total = 0;
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            total += b.readableBytes();
            b.release();
        }
        return total;
    }

    @Test
    void echoReturnsTheBytesThatFollowTheModeByteIncludingThoseInTheSameRead() {
        EmbeddedChannel ch = farEnd();
        ch.writeInbound(bytes("Ehello"));
        ch.writeInbound(bytes(" world"));
        StringBuilder echoed = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            echoed.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        assertThat(echoed).hasToString("hello world");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void sinkAnswersTheByteCountAtHalfCloseAndCloses() {
        EmbeddedChannel ch = farEnd();
        ch.writeInbound(bytes("S12345"));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[1000]));
        assertThat((Object) ch.readOutbound()).isNull();
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        ByteBuf count = ch.readOutbound();
        assertThat(count.readLong()).isEqualTo(1005);
        count.release();
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void generateSendsExactlyTheRequestedLengthEvenWhenTheHeaderArrivesInPieces() {
        EmbeddedChannel ch = farEnd();
        ByteBuf header = Unpooled.buffer().writeByte('G').writeLong(200_000);
        ch.writeInbound(header.readRetainedSlice(3));
        assertThat((Object) ch.readOutbound()).isNull();
        ch.writeInbound(header);
        assertThat(drainOutbound(ch)).isEqualTo(200_000);
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void generateOfZeroBytesJustCloses() {
        EmbeddedChannel ch = farEnd();
        ch.writeInbound(Unpooled.buffer().writeByte('G').writeLong(0));
        assertThat(drainOutbound(ch)).isZero();
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void anUnknownModeByteClosesTheConnection() {
        EmbeddedChannel ch = farEnd();
        ch.writeInbound(bytes("Xabc"));
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }
}
