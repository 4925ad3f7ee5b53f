package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Frames;
import dev.homeport.protocol.mux.MuxHarness.RecordingHandler;
import dev.homeport.protocol.mux.MuxHarness.Sent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.homeport.protocol.mux.MuxHarness.data;
import static dev.homeport.protocol.mux.MuxHarness.peer;
import static dev.homeport.protocol.mux.StreamLifecycleTest.assertClosedWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * PROTOCOL.md, "Keep-alive", in a whole session: the first PING after the session grant, the RTT the
 * session reports, and what the silence timeout ends. {@link KeepAliveTest} has the part's own rules.
 */
class KeepAliveSessionTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final ProtocolSettings SETTINGS = ProtocolSettings.defaults().withKeepAlive(SECOND, Duration.ofSeconds(3))
            .withTargetQueueDelay(Duration.ZERO);
    /** With a queue-delay target: the first answers and DATA bring probe PINGs. */
    private static final ProtocolSettings PROBING = SETTINGS.withTargetQueueDelay(Duration.ofMillis(1));

    private MuxHarness relay;

    @AfterEach
    void close() {
        relay.close();
    }

    @Test
    void pingGoesOutWhenTheSessionStartsAndThenEveryInterval() {
        relay = MuxHarness.relay(SETTINGS, peer(65536, 65536));
        assertThat(relay.sentAll()).extracting(Sent::type, Sent::flags).containsExactly(tuple(FrameType.PING, 0));

        relay.advance(Duration.ofMillis(999));
        assertThat(relay.sentAll()).isEmpty();
        relay.advance(Duration.ofMillis(1));
        assertThat(relay.sentAll()).extracting(Sent::type).containsExactly(FrameType.PING);
        relay.receive(pong(0)); // stays alive
        relay.advance(SECOND);
        assertThat(relay.sentAll()).extracting(Sent::type).containsExactly(FrameType.PING);
    }

    @Test
    void roundTripTimeIsSmoothedFromTheHandshakeEstimate() {
        relay = MuxHarness.relay(SETTINGS, peer(65536, 65536, Integer.MAX_VALUE, Duration.ofMillis(80).toNanos()));
        long opaque = relay.sentAll().get(0).opaque();

        relay.advance(Duration.ofMillis(40));
        relay.receive(pong(opaque));

        assertThat(relay.session.rttNanos()).isEqualTo(Duration.ofMillis(75).toNanos()); // (7 × 80 + 40) / 8
    }

    @Test
    void silentPeerIsDetectedWithinTimeoutPlusOneInterval() {
        relay = MuxHarness.relay(SETTINGS, peer(65536, 65536));
        RecordingHandler handler = relay.openStream(1);

        relay.advance(Duration.ofMillis(3999));
        assertThat(relay.channel.isActive()).as("3 s of silence is not yet more than keepAliveTimeout").isTrue();
        relay.advance(Duration.ofMillis(1));

        assertClosedWith(relay, ErrorCode.KEEPALIVE_TIMEOUT, "nothing received for 4000 ms (keepAliveTimeout)");
        assertThat(handler.events).containsExactly(
                "closed CANCELLED: session closed: nothing received for 4000 ms (keepAliveTimeout)");
    }

    @Test
    void silenceWhileReadsArePausedForAPeerThatDoesNotReadSaysSo() {
        relay = MuxHarness.relay(SETTINGS, peer(4 * 1024 * 1024, 64 * 1024));
        relay.receive(Frames.windowUpdate(MuxHarness.ALLOC, 0, 2 * 1024 * 1024));
        RecordingHandler handler = relay.openStream(1);
        relay.sent();
        relay.gate.close(); // the peer takes nothing: the relay's reads pause
        handler.stream.write(MuxHarness.ALLOC.buffer().writeZero(1024 * 1024));
        relay.channel.runPendingTasks();
        assertThat(relay.channel.config().isAutoRead()).as("reads paused while not writable").isFalse();

        relay.advance(Duration.ofSeconds(4));

        assertThat(relay.session.closeReason())
                .isEqualTo("the peer read nothing for 4000 ms, so nothing was read from it (keepAliveTimeout)");
    }

    private static Frame pong(long opaque) {
        return Frames.ping(MuxHarness.ALLOC, opaque, true);
    }

    // ---- probe PINGs for the queue delay (PROTOCOL.md, "Queue delay") ----

    @Test
    void theFirstAnswersAreEachFollowedByAPingAtOnceUntilFourAreIn() {
        relay = MuxHarness.relay(PROBING, peer(65536, 65536));
        long opaque = relay.sentAll().get(0).opaque();

        for (int answered = 1; answered < KeepAlive.START_SAMPLES; answered++) {
            relay.advance(Duration.ofMillis(1));
            relay.receive(pong(opaque));
            List<Sent> next = relay.sentAll();
            assertThat(next).as("after answer " + answered).extracting(Sent::type, Sent::flags)
                    .containsExactly(tuple(FrameType.PING, 0));
            opaque = next.get(0).opaque();
        }
        relay.advance(Duration.ofMillis(1));
        relay.receive(pong(opaque));

        assertThat(relay.sentAll()).as("after the fourth: the interval again").isEmpty();
    }

    @Test
    void dataArrivingBringsAProbeOncePerRoundTripAndNotMoreOftenThanTheProbeInterval() {
        relay = MuxHarness.client(PROBING, peer(65536, 65536));
        relay.acceptStream(1);
        long opaque = onlyPing(relay.sentAll());

        relay.advance(Duration.ofMillis(10));
        relay.receive(data(1, 100));
        assertThat(pings(relay.sentAll())).as("while the start PING is unanswered").isZero();

        for (int answered = 1; answered <= KeepAlive.START_SAMPLES; answered++) {
            relay.advance(Duration.ofMillis(1));
            relay.receive(pong(opaque));
            List<Sent> sent = relay.sentAll();
            opaque = answered < KeepAlive.START_SAMPLES ? onlyPing(sent) : 0;
        }
        relay.receive(data(1, 100));
        assertThat(pings(relay.sentAll())).as("1 ms after the last PING, under the 2 ms interval").isZero();

        relay.advance(Duration.ofMillis(1));
        relay.receive(data(1, 100), data(1, 100));
        assertThat(pings(relay.sentAll())).as("one probe, however many DATA").isEqualTo(1);
    }

    @Test
    void withoutATargetDataBringsNoProbe() {
        relay = MuxHarness.client(SETTINGS, peer(65536, 65536));
        relay.acceptStream(1);
        long opaque = relay.sentAll().stream().filter(f -> f.type() == FrameType.PING).findFirst().orElseThrow().opaque();
        relay.advance(Duration.ofMillis(5));
        relay.receive(pong(opaque));
        relay.advance(Duration.ofMillis(5));

        relay.receive(data(1, 100));

        assertThat(pings(relay.sentAll())).isZero();
    }

    private static long onlyPing(List<Sent> sent) {
        List<Sent> pings = sent.stream().filter(f -> f.type() == FrameType.PING && f.flags() == 0).toList();
        assertThat(pings).hasSize(1);
        return pings.get(0).opaque();
    }

    private static long pings(List<Sent> sent) {
        return sent.stream().filter(f -> f.type() == FrameType.PING && f.flags() == 0).count();
    }
}
