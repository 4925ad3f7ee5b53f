package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.ProtocolSettings;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PROTOCOL.md, "Session window" (sender side) and "Fair sending": when a stream's source is read. */
class OutboundFlowTest {
    private static final int READ_AHEAD = 1000;
    private static final int MIB = ProtocolSettings.INITIAL_SESSION_WINDOW;

    private final List<SendQueue> askedToRead = new ArrayList<>();
    private final List<SendQueue> queues = new ArrayList<>();
    private final OutboundFlow flow = new OutboundFlow(READ_AHEAD, askedToRead::add);

    @AfterEach
    void releaseUnsent() {
        queues.forEach(flow::discard);
    }

    private SendQueue queue(int window) {
        SendQueue q = new SendQueue(null, window);
        queues.add(q);
        return q;
    }

    private void write(SendQueue q, int bytes) {
        flow.add(q, Unpooled.buffer(bytes).writeZero(bytes));
    }

    @Test
    void aSourceIsReadWhileItsStreamHoldsLessThanCreditAndReadAhead() {
        SendQueue q = queue(5000);

        flow.requestRead(q);
        assertThat(askedToRead).containsExactly(q);
        write(q, READ_AHEAD);
        flow.requestRead(q);
        assertThat(askedToRead).as("a read-ahead unsent").hasSize(1);

        flow.take(q, 1).release();
        flow.maybeResumeReading(q);
        assertThat(askedToRead).hasSize(2);
    }

    @Test
    void aStreamWithoutCreditStopsReading() {
        SendQueue q = queue(10);
        write(q, 10);

        flow.requestRead(q);

        assertThat(askedToRead).isEmpty();
        q.grant(100);
        flow.maybeResumeReading(q);
        assertThat(askedToRead).containsExactly(q);
    }

    @Test
    void streamsPausedForTheSessionReadAgainInTheOrderTheyPaused() {
        SendQueue big = queue(Integer.MAX_VALUE);
        write(big, MIB);
        SendQueue first = queue(5000);
        SendQueue second = queue(5000);

        flow.requestRead(first);
        flow.requestRead(second);
        assertThat(askedToRead).as("all streams together hold the session's credit").isEmpty();

        flow.grant(1);
        assertThat(askedToRead).containsExactly(first, second);
    }

    @Test
    void framingAndDroppingUnblockTheSession() {
        SendQueue big = queue(Integer.MAX_VALUE);
        write(big, MIB);
        SendQueue waiting = queue(5000);
        flow.requestRead(waiting);

        flow.take(big, 100).release();
        flow.resumePaused();
        assertThat(askedToRead).as("framed bytes used session credit too").isEmpty();
        assertThat(flow.credit()).isEqualTo(MIB - 100);

        assertThat(flow.discard(big)).isEqualTo(MIB - 100);
        assertThat(flow.pendingBytes()).isZero();
        flow.resumePaused();
        assertThat(askedToRead).containsExactly(waiting);
    }

    @Test
    void aDiscardedStreamIsNotAskedToRead() {
        SendQueue q = queue(5000);
        q.readPaused = true;
        flow.discard(q);

        flow.maybeResumeReading(q);

        assertThat(askedToRead).isEmpty();
    }

    @Test
    void sessionCreditPastTheLargestWindowIsAFlowControlError() {
        flow.grant(Integer.MAX_VALUE - MIB);

        assertThatThrownBy(() -> flow.grant(1))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FLOW_CONTROL_ERROR))
                .hasMessage("session WINDOW_UPDATE grows the session window past 2^31-1 (2147483647 + 1)");
    }
}
