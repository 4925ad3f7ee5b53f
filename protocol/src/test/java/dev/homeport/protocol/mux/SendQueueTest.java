package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One stream's unsent data, credit and FIN, without a session. */
class SendQueueTest {
    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static String taken(SendQueue q, int n) {
        ByteBuf b = q.take(n);
        try {
            return b.toString(StandardCharsets.US_ASCII);
        } finally {
            b.release();
        }
    }

    @Test
    void takesExactlyTheBytesAskedAcrossBuffersWithoutCopying() {
        SendQueue q = new SendQueue(null, 100);
        q.add(text("hello "));
        q.add(text("wide "));
        q.add(text("world"));

        assertThat(taken(q, 3)).isEqualTo("hel");
        ByteBuf across = q.take(10);
        assertThat(across).isInstanceOf(CompositeByteBuf.class);
        assertThat(across.toString(StandardCharsets.US_ASCII)).isEqualTo("lo wide wo");
        across.release();
        assertThat(taken(q, 3)).isEqualTo("rld");
        assertThat(q.pendingBytes()).isZero();
        assertThat(q.window()).isEqualTo(84);
    }

    @Test
    void sendsOnlyWithinItsCredit() {
        SendQueue q = new SendQueue(null, 4);
        q.add(text("0123456789"));

        assertThat(q.sendableBytes()).isEqualTo(4);
        assertThat(taken(q, 4)).isEqualTo("0123");
        assertThat(q.hasFrame()).isFalse();
        q.grant(100);
        assertThat(q.sendableBytes()).isEqualTo(6);
        q.discard();
    }

    @Test
    void theFinWaitsForTheDataAndEndsWhatMayBeAdded() {
        SendQueue q = new SendQueue(null, 0);
        q.add(text("last"));
        assertThat(q.requestFin()).isTrue();

        assertThat(q.requestFin()).isFalse();
        assertThat(q.accepts()).isFalse();
        assertThat(q.hasFrame()).as("data without credit, FIN behind it").isFalse();
        q.grant(4);
        assertThat(taken(q, 4)).isEqualTo("last");
        assertThat(q.hasFrame()).as("the FIN").isTrue();
        assertThat(q.sendableBytes()).isZero();
        q.takeFin();
        assertThat(q.hasFrame()).isFalse();
    }

    @Test
    void creditPastTheLargestWindowIsAFlowControlError() {
        SendQueue q = new SendQueue(null, Integer.MAX_VALUE - 1);
        q.grant(1);

        assertThatThrownBy(() -> q.grant(1))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FLOW_CONTROL_ERROR))
                .hasMessageContaining("grows the window past 2^31-1 (2147483647 + 1)");
    }

    @Test
    void discardReleasesUnsentDataAndReportsIt() {
        SendQueue q = new SendQueue(null, 100);
        ByteBuf data = text("unsent");
        q.add(data);

        assertThat(q.discard()).isEqualTo(6);
        assertThat(data.refCnt()).isZero();
        assertThat(q.hasFrame()).isFalse();
        assertThat(q.accepts()).isFalse();
        assertThat(q.requestFin()).isFalse();
    }
}
