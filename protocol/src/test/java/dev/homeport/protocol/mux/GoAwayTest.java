package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.protocol.mux.MuxHarness.RecordingHandler;
import dev.homeport.protocol.mux.MuxHarness.Sent;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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

/** PROTOCOL.md, "GO_AWAY": no new streams either way, open streams drain, errors close at once. */
class GoAwayTest {
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

        RecordingHandler refused = relay.openStream(1);

        assertThat(refused.events).containsExactly("closed SHUTDOWN: session is closing");
        assertThat(relay.sent()).isEmpty();
    }

    @Test
    void goAwayIsSentOnceAndLaterOpensFromThePeerAreResetWithShutdown() {
        MuxHarness client = client();

        client.session.goAway(ErrorCode.SHUTDOWN, "client stopping");
        client.session.goAway(ErrorCode.SHUTDOWN, "client stopping");
        client.receive(open(1, 3));

        List<Sent> sent = client.sent();
        assertThat(sent).extracting(Sent::toString).containsExactly("GO_AWAY 0", "RESET 1");
        assertThat(sent.get(0).goAway()).isEqualTo(new GoAway(ErrorCode.SHUTDOWN, "client stopping"));
        assertThat(sent.get(1).resetCode()).isEqualTo(ErrorCode.SHUTDOWN);
        assertThat(client.accepted).isEmpty();
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
