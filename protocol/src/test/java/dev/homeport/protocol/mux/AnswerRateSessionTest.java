package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.Frames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.homeport.protocol.mux.MuxHarness.peer;
import static dev.homeport.protocol.mux.StreamLifecycleTest.assertClosedWith;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PROTOCOL.md, "Answers to a peer that does not read", the answer rate ({@code maxAnswerRate}) in a
 * whole session: PINGs and BINDs count, PING answers do not, and one past the rate ends the session.
 */
class AnswerRateSessionTest {
    private static final int RATE = 1000;
    private static final String REASON = "more than 1000 frames asking for an answer within a second (maxAnswerRate)";
    private static final ProtocolSettings SETTINGS = MuxHarness.QUIET.withTargetQueueDelay(Duration.ZERO).withMaxAnswerRate(RATE)
            .withFloodLimits(ProtocolSettings.DEFAULT_MAX_CONTROL_BACKLOG * 64, 100_000);

    private MuxHarness relay;

    @AfterEach
    void close() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void theDefaultIsFourTimesWhatAnHonestPeerAsks() {
        assertThat(ProtocolSettings.defaults().maxAnswerRate()).isEqualTo(ProtocolSettings.DEFAULT_MAX_ANSWER_RATE).isEqualTo(2000);
    }

    @Test
    void oneSecondsWorthOfPingsIsAnsweredAndOneMoreEndsTheSessionWithFlooding() {
        relay = MuxHarness.relay(SETTINGS, peer(65536, 65536));
        relay.sentAll();
        for (int i = 0; i < RATE; i++) {
            relay.receive(Frames.ping(MuxHarness.ALLOC, i, false));
        }
        assertThat(relay.sentAll()).hasSize(RATE).allMatch(s -> s.type() == FrameType.PING && s.flags() == Frame.FLAG_ACK);
        assertThat(relay.channel.isOpen()).isTrue();

        relay.receive(Frames.ping(MuxHarness.ALLOC, RATE, false));

        assertClosedWith(relay, ErrorCode.FLOODING, REASON);
    }

    @Test
    void aPeerProbingEveryTwoMillisecondsForTenSecondsStays() {
        relay = MuxHarness.relay(SETTINGS.withMaxAnswerRate(ProtocolSettings.MIN_ANSWER_RATE), peer(65536, 65536));
        for (int i = 0; i < 5000; i++) {
            relay.receive(Frames.ping(MuxHarness.ALLOC, i, false));
            relay.channel.advanceTimeBy(2, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        assertThat(relay.channel.isOpen()).as("500 PINGs a second, what an honest peer sends at most").isTrue();
        assertThat(relay.sentAll()).filteredOn(s -> s.flags() == Frame.FLAG_ACK).hasSize(5000);
    }

    @Test
    void answersToThisSidesPingsDoNotCount() {
        relay = MuxHarness.relay(SETTINGS, peer(65536, 65536));
        for (int i = 0; i < 3 * RATE; i++) {
            relay.receive(Frames.ping(MuxHarness.ALLOC, i, true));
        }
        assertThat(relay.channel.isOpen()).isTrue();
    }

    @Test
    void bindsCountWithPings() {
        relay = MuxHarness.relay(SETTINGS, peer(65536, 65536));
        for (int i = 0; i < RATE / 2; i++) {
            relay.receive(Frames.ping(MuxHarness.ALLOC, i, false));
        }
        for (int i = 0; i < RATE / 2; i++) {
            relay.receive(new Bind(i + 1, Bind.KIND_TCP, 0, "t" + i).toFrame(MuxHarness.ALLOC));
        }
        assertThat(relay.passedOn(Frame.class)).hasSize(RATE / 2);
        assertThat(relay.channel.isOpen()).isTrue();

        relay.receive(new Bind(RATE, Bind.KIND_TCP, 0, "one more").toFrame(MuxHarness.ALLOC));

        assertThat(relay.passedOn(Frame.class)).as("the BIND past the rate is not passed on").hasSize(RATE / 2);
        assertClosedWith(relay, ErrorCode.FLOODING, REASON);
    }

    @Test
    void theRateIsANamedSettingWithAFloor() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProtocolSettings.defaults().withMaxAnswerRate(599))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxAnswerRate must be at least 600 a second, got 599");
    }

}
