package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.ProtocolSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PROTOCOL.md, "Session window" and "Stream window", seen from the receiver, without a channel. */
class InboundFlowTest {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    private static final long RTT = Duration.ofMillis(10).toNanos();

    private final List<String> updates = new ArrayList<>();

    private InboundFlow flow(int initialStreamWindow, int maxStreamWindow, long sessionWindow) {
        ProtocolSettings local = ProtocolSettings.defaults().withWindows(initialStreamWindow, maxStreamWindow, sessionWindow);
        return new InboundFlow(local, (id, increment) -> updates.add(id + "+" + increment));
    }

    @Test
    void grantsTheSessionWindowAboveTheInitialMebibyteAtStart() {
        InboundFlow flow = flow(64 * KIB, MIB, 8 * MIB);

        flow.grantSessionWindow();

        assertThat(updates).containsExactly("0+" + 7 * MIB);
        flow.received(8 * MIB);
        assertThatThrownBy(() -> flow.received(1)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void grantsNothingWhenTheSessionWindowIsTheInitialOne() {
        InboundFlow flow = flow(64 * KIB, MIB, MIB);

        flow.grantSessionWindow();

        assertThat(updates).isEmpty();
    }

    @Test
    void dataBeyondTheSessionCreditIsAFlowControlError() {
        InboundFlow flow = flow(64 * KIB, MIB, MIB);
        flow.received(MIB - 10);

        assertThatThrownBy(() -> flow.received(11))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FLOW_CONTROL_ERROR))
                .hasMessage("DATA of 11 bytes beyond the 10 bytes of session credit the peer had");
    }

    @Test
    void dataBeyondTheStreamCreditIsAFlowControlErrorNamingTheStream() {
        InboundFlow flow = flow(4 * KIB, MIB, MIB);
        InboundFlow.StreamCredit stream = flow.newStream(0);
        flow.received(stream, 3, 4 * KIB);

        assertThatThrownBy(() -> flow.received(stream, 3, 1))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FLOW_CONTROL_ERROR))
                .hasMessage("stream 3 sent 1 bytes beyond the 0 bytes of credit it had");
    }

    @Test
    void deliveredBytesGoBackToTheSessionInQuarterWindows() {
        InboundFlow flow = flow(MIB, MIB, 4 * MIB);
        InboundFlow.StreamCredit stream = flow.newStream(0);
        flow.received(MIB);
        flow.received(stream, 1, MIB);
        stream.held(MIB);

        flow.consumed(stream, 1, MIB - 1, false, 0, 0, -1);
        assertThat(updates).isEmpty();
        flow.consumed(stream, 1, 1, false, 0, 0, -1);

        assertThat(updates).as("a quarter of 4 MiB, and no stream credit after the peer's FIN").containsExactly("0+" + MIB);
        assertThat(stream.undelivered()).isZero();
    }

    @Test
    void droppedBytesCountTowardTheSessionUpdateAtOnce() {
        InboundFlow flow = flow(MIB, MIB, 4 * MIB);

        flow.dropped(MIB - 1);
        assertThat(updates).isEmpty();
        flow.dropped(1);

        assertThat(updates).containsExactly("0+" + MIB);
    }

    @Test
    void streamCreditGoesBackOnceHalfItsWindowIsDelivered() {
        InboundFlow flow = flow(64 * KIB, MIB, 64 * MIB);
        InboundFlow.StreamCredit stream = flow.newStream(0);
        flow.received(stream, 5, 32 * KIB);
        stream.held(32 * KIB);

        flow.consumed(stream, 5, 32 * KIB, true, 10 * RTT, RTT, -1);

        assertThat(updates).containsExactly("5+" + 32 * KIB);
    }

    @Test
    void windowsGrowOnlyWithinTheSessionWindowAndAClosedStreamGivesItsGrowthBack() {
        InboundFlow flow = flow(512 * KIB, 16 * MIB, 1280 * KIB);
        InboundFlow.StreamCredit a = flow.newStream(0);
        InboundFlow.StreamCredit b = flow.newStream(0);
        InboundFlow.StreamCredit c = flow.newStream(0);

        flow.consumed(a, 1, 256 * KIB, true, RTT, RTT, -1);
        flow.consumed(b, 3, 256 * KIB, true, RTT, RTT, -1);
        flow.consumed(c, 5, 256 * KIB, true, RTT, RTT, -1);
        assertThat(streamUpdates()).as("two doublings of 512 KiB, then the 256 KiB of budget left").containsExactly(
                "1+" + 768 * KIB, "3+" + 768 * KIB, "5+" + 512 * KIB);
        assertThat(c.window()).isEqualTo(768 * KIB);

        flow.closed(a, false);
        InboundFlow.StreamCredit d = flow.newStream(0);
        flow.consumed(d, 7, 256 * KIB, true, RTT, RTT, -1);
        assertThat(streamUpdates()).last().as("the closed stream's 512 KiB are back").isEqualTo("7+" + 768 * KIB);
    }

    private List<String> streamUpdates() {
        return updates.stream().filter(u -> !u.startsWith("0+")).toList();
    }

    @Test
    void aClosedStreamReturnsItsUndeliveredBytesUnlessTheSessionIsClosing() {
        InboundFlow flow = flow(MIB, MIB, 4 * MIB);
        InboundFlow.StreamCredit open = flow.newStream(0);
        InboundFlow.StreamCredit another = flow.newStream(0);
        open.held(MIB);
        another.held(MIB);

        flow.closed(another, true);
        assertThat(updates).isEmpty();
        flow.closed(open, false);

        assertThat(updates).containsExactly("0+" + MIB);
        assertThat(open.undelivered()).isZero();
    }
}
