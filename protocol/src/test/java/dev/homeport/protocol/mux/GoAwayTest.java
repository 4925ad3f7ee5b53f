package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.protocol.mux.MuxHarness.RecordingHandler;
import dev.homeport.protocol.mux.MuxHarness.Sent;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.homeport.protocol.mux.MuxHarness.QUIET;
import static dev.homeport.protocol.mux.MuxHarness.bytes;
import static dev.homeport.protocol.mux.MuxHarness.fin;
import static dev.homeport.protocol.mux.MuxHarness.goAway;
import static dev.homeport.protocol.mux.MuxHarness.open;
import static dev.homeport.protocol.mux.MuxHarness.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/** PROTOCOL.md, "GO_AWAY": no new streams either way, open streams drain, DRAINED both ways closes, errors close at once. */
class GoAwayTest {
    /** Pings every second, and a peer silent for 3 s is dead. */
    private static final ProtocolSettings KEEPALIVE = ProtocolSettings.defaults()
            .withKeepAlive(Duration.ofSeconds(1), Duration.ofSeconds(3));

    private final List<MuxHarness> harnesses = new ArrayList<>();

    @AfterEach
    void closeAll() {
        harnesses.forEach(MuxHarness::close);
    }

    @Test
    void goAwayFromThePeerIsReportedAndOpenStreamsCarryOn() {
        MuxHarness relay = relay();
        RecordingHandler open = relay.openStream(1);
        relay.sent();

        relay.receive(goAway(ErrorCode.SHUTDOWN, "client stopping"));
        open.stream.write(bytes(10));

        assertThat(relay.passedOn(GoAwayReceived.class)).containsExactly(new GoAwayReceived(ErrorCode.SHUTDOWN, "client stopping"));
        assertThat(relay.sent()).extracting(Sent::toString).containsExactly("DATA 1 len=10");
        assertThat(relay.channel.isActive()).isTrue();
    }

    @Test
    void noNewStreamIsOpenedAfterThePeersGoAway() {
        MuxHarness relay = relay();
        relay.receive(goAway(ErrorCode.NO_ERROR, "bye"));

        List<Sent> answer = relay.sent();
        RecordingHandler refused = relay.openStream(1);

        assertThat(refused.events).containsExactly("closed SHUTDOWN: session is closing");
        assertThat(answer).extracting(Sent::toString).as("DRAINED: no stream was open").containsExactly("GO_AWAY 0");
        assertThat(relay.sent()).isEmpty();
    }

    @Test
    void goAwayIsSentOnceAndLaterOpensFromThePeerAreResetWithShutdown() {
        MuxHarness client = client();
        client.acceptStream(1);

        client.session.goAway(ErrorCode.SHUTDOWN, "client stopping");
        client.session.goAway(ErrorCode.SHUTDOWN, "client stopping");
        client.receive(open(3, 1));

        List<Sent> sent = client.sent();
        assertThat(sent).extracting(Sent::toString).containsExactly("GO_AWAY 0", "RESET 3");
        assertThat(sent.get(0).goAway()).isEqualTo(new GoAway(ErrorCode.SHUTDOWN, "client stopping"));
        assertThat(sent.get(0).flags()).as("not drained: stream 1 is still open").isZero();
        assertThat(sent.get(1).resetCode()).isEqualTo(ErrorCode.SHUTDOWN);
        assertThat(client.accepted).hasSize(1);
        assertThat(client.channel.isActive()).isTrue();
    }

    @Test
    void goAwayWithNoStreamOpenIsDrainedAtOnceAndThePeersDrainedClosesTheConnection() {
        MuxHarness client = client();

        client.session.goAway(ErrorCode.SHUTDOWN, "client stopping");

        List<Sent> sent = client.sent();
        assertThat(sent).extracting(Sent::toString).containsExactly("GO_AWAY 0");
        assertThat(sent.get(0).flags()).isEqualTo(Frame.FLAG_DRAINED);
        assertThat(sent.get(0).goAway()).isEqualTo(new GoAway(ErrorCode.SHUTDOWN, "client stopping"));
        assertThat(client.channel.isActive()).as("waits for the peer's DRAINED").isTrue();

        client.receive(drained());

        assertThat(client.channel.isOpen()).isFalse();
        assertThat(client.session.whenClosed().isSuccess()).isTrue();
        assertThat(client.sent()).as("nothing after DRAINED").isEmpty();
    }

    @Test
    void theLastStreamToFinishAfterGoAwayIsFollowedByDrained() {
        MuxHarness client = client();
        RecordingHandler handler = client.acceptStream(1);
        client.session.goAway(ErrorCode.SHUTDOWN, "client stopping");
        client.sent();

        client.receive(fin(1));
        handler.stream.shutdownOutput();

        List<Sent> sent = client.sent();
        assertThat(sent).extracting(Sent::toString).containsExactly("FIN 1", "GO_AWAY 0");
        assertThat(sent.get(1).flags()).isEqualTo(Frame.FLAG_DRAINED);
        assertThat(client.channel.isActive()).isTrue();

        client.receive(drained());

        assertThat(client.channel.isOpen()).isFalse();
        assertThat(handler.events).as("the stream ended cleanly, before the close").containsExactly("fin");
    }

    @Test
    void theReceiverOfAGracefulGoAwayAnswersDrainedOnceItsStreamsAreDone() {
        MuxHarness relay = relay();
        RecordingHandler handler = relay.openStream(1);
        relay.sent();

        relay.receive(goAway(ErrorCode.SHUTDOWN, "client stopping"));
        assertThat(relay.sent()).as("stream 1 is still open").isEmpty();

        handler.stream.shutdownOutput();
        relay.receive(fin(1));

        List<Sent> sent = relay.sent();
        assertThat(sent).extracting(Sent::toString).containsExactly("FIN 1", "GO_AWAY 0");
        assertThat(sent.get(1).flags()).isEqualTo(Frame.FLAG_DRAINED);
        assertThat(sent.get(1).goAway().code()).isEqualTo(ErrorCode.NO_ERROR);

        relay.receive(drained());
        assertThat(relay.channel.isOpen()).isFalse();
        assertThat(relay.passedOn(GoAwayReceived.class)).as("reported once").hasSize(1);
    }

    @Test
    void afterDrainedNothingMoreIsSentNotEvenPingAnswersOrKeepAlive() {
        MuxHarness relay = MuxHarness.relay(KEEPALIVE, peer(65536, 65536));
        harnesses.add(relay);
        relay.session.goAway(ErrorCode.SHUTDOWN, "relay stopping");
        assertThat(relay.sentAll()).extracting(Sent::type).contains(FrameType.GO_AWAY);

        relay.receive(MuxHarness.ping(42));
        relay.advance(Duration.ofMillis(2500));

        assertThat(relay.sentAll()).isEmpty();
        assertThat(relay.channel.isActive()).isTrue();
    }

    @Test
    void aPeerThatNeverDrainsIsClosedAfterKeepAliveTimeout() {
        MuxHarness relay = MuxHarness.relay(KEEPALIVE, peer(65536, 65536));
        harnesses.add(relay);
        relay.session.goAway(ErrorCode.SHUTDOWN, "relay stopping");
        relay.sentAll();

        relay.advance(KEEPALIVE.keepAliveTimeout().minusMillis(100));
        assertThat(relay.channel.isActive()).isTrue();
        relay.advance(Duration.ofMillis(200));

        assertThat(relay.channel.isOpen()).isFalse();
    }

    @Test
    void anOpenThatCrossedThePeersDrainedEndsWithShutdown() {
        MuxHarness relay = relay();
        RecordingHandler crossed = relay.openStream(1);
        assertThat(relay.sent()).extracting(Sent::toString).containsExactly("OPEN 1");

        relay.receive(drained());

        assertThat(crossed.events).containsExactly("closed SHUTDOWN: the peer went away");
        List<Sent> sent = relay.sent();
        assertThat(sent).extracting(Sent::toString).containsExactly("GO_AWAY 0");
        assertThat(sent.get(0).flags()).isEqualTo(Frame.FLAG_DRAINED);
        assertThat(relay.channel.isOpen()).isFalse();
    }

    @Test
    void anOpenArrivingAfterDrainedIsDroppedUnanswered() {
        MuxHarness client = client();
        client.session.goAway(ErrorCode.SHUTDOWN, "client stopping");
        client.sent();

        client.receive(open(1, 1));

        assertThat(client.accepted).isEmpty();
        assertThat(client.sent()).as("the relay ends it when our DRAINED arrives").isEmpty();
        assertThat(client.channel.isActive()).isTrue();
    }

    @Test
    void whenIdleCompletesOnceTheLastStreamFinishes() {
        MuxHarness client = client();
        RecordingHandler handler = client.acceptStream(1);
        client.session.goAway(ErrorCode.SHUTDOWN, "client stopping");

        Future<Void> idle = client.session.whenIdle();
        client.channel.runPendingTasks();
        assertThat(idle.isDone()).isFalse();

        client.receive(fin(1));
        handler.stream.shutdownOutput();
        client.channel.runPendingTasks();

        assertThat(idle.isSuccess()).isTrue();
        assertThat(client.session.whenIdle().isSuccess()).as("at once when no stream is open").isTrue();
    }

    @Test
    void closeSendsGoAwayAndEndsEveryStreamAtOnce() {
        MuxHarness relay = relay();
        RecordingHandler handler = relay.openStream(1);
        relay.sent();

        relay.session.close(ErrorCode.SHUTDOWN, "relay stopping");

        assertThat(relay.sent()).extracting(Sent::goAway).containsExactly(new GoAway(ErrorCode.SHUTDOWN, "relay stopping"));
        assertThat(relay.channel.isOpen()).isFalse();
        assertThat(handler.events).containsExactly("closed CANCELLED: session closed: relay stopping");
    }

    @Test
    void errorCodeInTheGoAwayBecomesTheCloseReason() {
        MuxHarness client = client();

        client.receive(goAway(ErrorCode.RATE_LIMITED, "too many sessions for this token"));
        client.channel.close();

        assertThat(client.session.closeReason()).isEqualTo("too many sessions for this token");
        assertThat(client.passedOn(GoAwayReceived.class)).extracting(GoAwayReceived::code).containsExactly(ErrorCode.RATE_LIMITED);
    }

    @Test
    void goAwayFrameIsASessionFrame() {
        MuxHarness relay = relay();

        relay.session.goAway(ErrorCode.NO_ERROR, "");

        assertThat(relay.sent()).extracting(Sent::type, Sent::streamId)
                .containsExactly(tuple(FrameType.GO_AWAY, 0));
    }

    private static Frame drained() {
        return new GoAway(ErrorCode.NO_ERROR, "drained").toDrainedFrame(MuxHarness.ALLOC);
    }

    private MuxHarness relay() {
        MuxHarness h = MuxHarness.relay(QUIET, peer(65536, 65536));
        harnesses.add(h);
        return h;
    }

    private MuxHarness client() {
        MuxHarness h = MuxHarness.client(QUIET, peer(65536, 65536));
        harnesses.add(h);
        return h;
    }
}
