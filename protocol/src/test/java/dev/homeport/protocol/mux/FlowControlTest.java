package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.handshake.HandshakeCompleted;
import dev.homeport.protocol.mux.MuxHarness.RecordingHandler;
import dev.homeport.protocol.mux.MuxHarness.Sent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.homeport.protocol.mux.MuxHarness.QUIET;
import static dev.homeport.protocol.mux.MuxHarness.bytes;
import static dev.homeport.protocol.mux.MuxHarness.data;
import static dev.homeport.protocol.mux.MuxHarness.open;
import static dev.homeport.protocol.mux.MuxHarness.pattern;
import static dev.homeport.protocol.mux.MuxHarness.peer;
import static dev.homeport.protocol.mux.MuxHarness.reset;
import static dev.homeport.protocol.mux.MuxHarness.windowUpdate;
import static dev.homeport.protocol.mux.StreamLifecycleTest.assertClosedWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/** PROTOCOL.md, "Flow control": per-stream credit both ways, and the receive window's auto-tuning inside a session. */
class FlowControlTest {
    private static final long RTT = Duration.ofMillis(10).toNanos();
    private static final int MIB = ProtocolSettings.INITIAL_SESSION_WINDOW;

    private final List<MuxHarness> harnesses = new ArrayList<>();

    @AfterEach
    void closeAll() {
        harnesses.forEach(MuxHarness::close);
    }

    // ---- sending within the peer's credit ----

    @Test
    void senderNeverSendsMoreThanThePeersWindowUntilAWindowUpdateArrives() {
        MuxHarness relay = relay(peer(16 * 1024, 4096));
        RecordingHandler handler = relay.openStream(1);

        handler.stream.write(bytes(1024 * 1024));

        assertThat(relay.sentData()).extracting(Sent::length).containsExactly(4096, 4096, 4096, 4096);
        assertThat(relay.sentData()).as("nothing more without credit").isEmpty();

        relay.receive(windowUpdate(1, 10_000));

        assertThat(relay.sentData()).extracting(Sent::length).containsExactly(4096, 4096, 1808);
        assertThat(relay.session.bytesSent()).isEqualTo(16 * 1024 + 10_000);
    }

    @Test
    void dataIsChunkedToThePeersMaxFramePayloadAndArrivesInOrder() {
        MuxHarness relay = relay(peer(1024 * 1024, 1024));
        RecordingHandler handler = relay.openStream(1);

        handler.stream.write(bytes(3000));
        handler.stream.write(bytes(2000));

        List<Sent> data = relay.sentData();
        assertThat(data).extracting(Sent::length).containsExactly(1024, 1024, 1024, 1024, 904);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        data.forEach(d -> joined.writeBytes(d.payload()));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(pattern(3000));
        expected.writeBytes(pattern(2000));
        assertThat(joined.toByteArray()).containsExactly(expected.toByteArray());
    }

    @Test
    void windowUpdateThatLiftsCreditPast2To31Minus1IsFlowControlError() {
        MuxHarness relay = relay(peer(65536, 65536));
        relay.openStream(1);

        relay.receive(windowUpdate(1, Integer.MAX_VALUE - 65536));
        assertThat(relay.channel.isActive()).as("exactly 2^31-1 is allowed").isTrue();
        relay.receive(windowUpdate(1, 1));

        assertClosedWith(relay, ErrorCode.FLOW_CONTROL_ERROR,
                "WINDOW_UPDATE on stream 1 grows the window past 2^31-1 (2147483647 + 1)");
    }

    @Test
    void windowUpdateOfZeroIsProtocolError() {
        MuxHarness relay = relay(peer(65536, 65536));
        relay.openStream(1);

        relay.receive(windowUpdate(1, 0));

        assertClosedWith(relay, ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE increment must be 1 to 2^31-1, got 0");
    }

    // ---- receiving: the peer must stay within the credit this side gave ----

    @Test
    void dataBeyondCreditClosesTheSessionWithFlowControlError() {
        MuxHarness client = client(QUIET.withWindows(1024, 1024, MIB), 0);
        RecordingHandler handler = client.acceptStream(1);

        client.receive(data(1, 1024));
        assertThat(client.channel.isActive()).isTrue();
        client.receive(data(1, 1));

        assertClosedWith(client, ErrorCode.FLOW_CONTROL_ERROR, "stream 1 sent 1 bytes beyond the 0 bytes of credit it had");
        assertThat(handler.events).last().asString().startsWith("closed CANCELLED: session closed: stream 1 sent 1 bytes");
    }

    @Test
    void dataHeldBeforeAttachCountsAgainstTheCredit() {
        MuxHarness client = client(QUIET.withWindows(1024, 1024, MIB), 0);

        client.receive(open(1, 3), data(1, 1000), data(1, 25));

        assertClosedWith(client, ErrorCode.FLOW_CONTROL_ERROR, "stream 1 sent 25 bytes beyond the 24 bytes of credit it had");
    }

    @Test
    void creditIsReturnedOnceHalfTheWindowIsDelivered() {
        MuxHarness client = client(QUIET.withWindows(4096, 1 << 20, 1 << 20), 0);
        RecordingHandler handler = client.acceptStream(1);
        client.receive(data(1, 2000), data(1, 100));

        handler.stream.consumed(2000);
        assertThat(client.sent()).as("below half the window").isEmpty();
        handler.stream.consumed(100);

        assertThat(client.sent()).extracting(Sent::toString, Sent::increment)
                .containsExactly(tuple("WINDOW_UPDATE 1", 2100));
    }

    @Test
    void creditIsNotReturnedForDataReceivedButNotDelivered() {
        MuxHarness client = client(QUIET.withWindows(4096, 1 << 20, 1 << 20), 0);
        client.acceptStream(1);

        client.receive(data(1, 4096));

        assertThat(client.sent()).isEmpty();
    }

    @Test
    void windowDoublesWhenTheUpdateComesWithinTwoRoundTrips() {
        MuxHarness client = client(QUIET.withWindows(4096, 1 << 20, 1 << 20), RTT);
        RecordingHandler handler = client.acceptStream(1);
        handler.consumeAtOnce = true;

        client.receive(data(1, 2048));

        assertThat(client.sent()).extracting(Sent::increment).as("2048 delivered + 4096 growth").containsExactly(6144);
        assertThat(handler.stream.receive.window()).isEqualTo(8192);
        client.receive(data(1, 8192));
        assertThat(client.channel.isActive()).as("the grown credit may be used at once").isTrue();
    }

    @Test
    void windowStaysWhenUpdatesComeSlowly() {
        MuxHarness client = client(QUIET.withWindows(4096, 1 << 20, 1 << 20), RTT);
        RecordingHandler handler = client.acceptStream(1);
        handler.consumeAtOnce = true;

        client.advance(Duration.ofNanos(2 * RTT));
        client.receive(data(1, 2048));

        assertThat(client.sent()).extracting(Sent::increment).containsExactly(2048);
        assertThat(handler.stream.receive.window()).isEqualTo(4096);
    }

    @Test
    void windowStaysWhileTheRoundTripTimeIsUnknown() {
        MuxHarness client = client(QUIET.withWindows(4096, 1 << 20, 1 << 20), 0);
        RecordingHandler handler = client.acceptStream(1);
        handler.consumeAtOnce = true;

        client.receive(data(1, 2048));

        assertThat(client.sent()).extracting(Sent::increment).containsExactly(2048);
    }

    @Test
    void sessionWindowLimitsGrowthAcrossStreamsAndAClosedStreamGivesItsGrowthBack() {
        // The smallest session window (1 MiB) is used up by one doubling of a 1 MiB stream window.
        MuxHarness client = client(QUIET.withWindows(MIB, 16 * MIB, MIB), RTT);
        RecordingHandler first = client.acceptStream(1);
        RecordingHandler second = client.acceptStream(3);
        first.consumeAtOnce = true;
        second.consumeAtOnce = true;

        client.receive(data(1, MIB / 2));
        client.receive(data(3, MIB / 2));
        assertThat(withoutSessionUpdates(client.sent())).extracting(Sent::streamId, Sent::increment).containsExactly(
                tuple(1, MIB / 2 + MIB), tuple(3, MIB / 2));

        client.receive(reset(1, ErrorCode.CANCELLED));
        client.receive(data(3, MIB / 2));

        assertThat(withoutSessionUpdates(client.sent())).extracting(Sent::streamId, Sent::increment)
                .containsExactly(tuple(3, MIB / 2 + MIB));
    }

    @Test
    void noCreditIsReturnedAfterThePeersFin() {
        MuxHarness client = client(QUIET.withWindows(4096, 1 << 20, 1 << 20), 0);
        RecordingHandler handler = client.acceptStream(1);
        client.receive(data(1, 4000), MuxHarness.fin(1));

        handler.stream.consumed(4000);

        assertThat(client.sent()).isEmpty();
    }

    // ---- helpers ----

    /** All but the session's WINDOW_UPDATEs (stream 0), which are SessionWindowTest's subject. */
    private static List<Sent> withoutSessionUpdates(List<Sent> sent) {
        return sent.stream().filter(s -> !(s.type() == FrameType.WINDOW_UPDATE && s.streamId() == 0)).toList();
    }

    private MuxHarness relay(HandshakeCompleted peer) {
        MuxHarness h = MuxHarness.relay(QUIET, peer);
        harnesses.add(h);
        return h;
    }

    private MuxHarness client(ProtocolSettings local, long rttNanos) {
        MuxHarness h = MuxHarness.client(local, peer(65536, 65536, Integer.MAX_VALUE, rttNanos));
        harnesses.add(h);
        return h;
    }
}
