package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.message.GoAway;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.homeport.protocol.mux.RecordingConnection.ALLOC;
import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md, "GO_AWAY": the drain and the DRAINED handshake, closing at once, and errors, on a recorder. */
class SessionShutdownTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final String OUR_DRAINED = "GO_AWAY NO_ERROR drained DRAINED";

    private final RecordingConnection connection = new RecordingConnection();
    private final SessionWriter writer = new SessionWriter("test-session", new AnswerBacklog(1 << 20, 16, false));
    private final SessionShutdown shutdown = new SessionShutdown("test-session", TIMEOUT, writer);
    private final OpenStreams streams = new OpenStreams();

    SessionShutdownTest() {
        shutdown.bind(connection, streams);
        StreamSender sender = new StreamSender(100, new RoundRobinScheduler(100), writer::scheduleFlush, s -> { });
        writer.bind(connection, shutdown, sender);
        sender.bind(writer);
    }

    /** Stands in for the session's streams: a count, and what ended them all. */
    private final class OpenStreams implements SessionShutdown.Streams {
        int open;
        final List<String> closedAll = new ArrayList<>();

        @Override
        public boolean isEmpty() {
            return open == 0;
        }

        @Override
        public void closeAll(ErrorCode code, String reason) {
            if (open > 0) { // as the session's streams do: the last one closing tells the shutdown
                open = 0;
                closedAll.add(code + " " + reason);
                shutdown.lastStreamClosed();
            }
        }

        void lastClosed() {
            open = 0;
            shutdown.lastStreamClosed();
        }
    }

    private static Frame goAway(ErrorCode code, String message) {
        return new GoAway(code, message).toFrame(ALLOC);
    }

    private static Frame drained(ErrorCode code, String message) {
        return new GoAway(code, message).toDrainedFrame(ALLOC);
    }

    /** As the session hands it the peer's frame: it releases the frame after. */
    private void receive(Frame frame) {
        try {
            shutdown.onGoAway(frame);
        } finally {
            frame.release();
        }
    }

    @Test
    void goAwayLetsOpenStreamsFinishThenSaysDrainedAndClosesOnceThePeerHasToo() {
        streams.open = 2;
        shutdown.goAway(ErrorCode.NO_ERROR, "maintenance");
        connection.runTasks();
        assertThat(connection.take()).containsExactly("GO_AWAY NO_ERROR maintenance", "flush");
        assertThat(shutdown.refusesOpens()).isTrue();

        streams.lastClosed();
        assertThat(connection.take()).containsExactly(OUR_DRAINED, "flush");
        assertThat(shutdown.drainedSent()).isTrue();

        receive(drained(ErrorCode.NO_ERROR, "drained"));
        assertThat(connection.take()).containsExactly(
                "event GoAwayReceived[code=NO_ERROR, message=drained]", "close once written: " + OUR_DRAINED);
    }

    @Test
    void goAwayWithNoStreamOpenIsDrainedAtOnceWithItsCodeAndReason() {
        shutdown.goAway(ErrorCode.SHUTDOWN, "relay restarting");

        assertThat(connection.take()).containsExactly("GO_AWAY SHUTDOWN relay restarting DRAINED", "flush");
        assertThat(shutdown.goAwaySent()).isTrue();
    }

    @Test
    void thePeersGracefulGoAwayIsAnsweredWithDrainedOnceTheLastStreamEnds() {
        streams.open = 1;
        receive(goAway(ErrorCode.SHUTDOWN, "restart"));
        assertThat(connection.take()).containsExactly("event GoAwayReceived[code=SHUTDOWN, message=restart]");
        assertThat(shutdown.refusesOpens()).isTrue();

        streams.lastClosed();
        assertThat(connection.take()).containsExactly(OUR_DRAINED, "flush");

        receive(drained(ErrorCode.NO_ERROR, "drained"));
        assertThat(connection.take()).as("the event only for the first GO_AWAY")
                .containsExactly("close once written: " + OUR_DRAINED);
    }

    @Test
    void aStreamStillOpenWhenThePeerSaysDrainedCrossedItsGoAwayAndEndsAsShutdown() {
        streams.open = 1;

        receive(drained(ErrorCode.NO_ERROR, "drained"));

        assertThat(streams.closedAll).containsExactly("SHUTDOWN the peer went away");
        assertThat(connection.take()).containsExactly("event GoAwayReceived[code=NO_ERROR, message=drained]",
                OUR_DRAINED, "flush", "close once written: " + OUR_DRAINED);
    }

    @Test
    void aPeerThatNeverSaysDrainedIsNotWaitedForBeyondTheKeepAliveTimeout() {
        shutdown.goAway(ErrorCode.NO_ERROR, "bye");
        connection.take();

        connection.advance(TIMEOUT.toNanos() - 1);
        assertThat(connection.take()).isEmpty();
        connection.advance(1);

        assertThat(connection.take()).containsExactly("close once written: GO_AWAY NO_ERROR bye DRAINED");
    }

    @Test
    void anErrorGoAwayFromThePeerEndsWithItsReasonAndNoDrain() {
        streams.open = 1;

        receive(goAway(ErrorCode.AUTH_FAILED, "token revoked"));
        streams.lastClosed();

        assertThat(connection.take()).containsExactly("event GoAwayReceived[code=AUTH_FAILED, message=token revoked]");
        assertThat(shutdown.closeReason()).isEqualTo("token revoked");
    }

    @Test
    void closeSendsGoAwayAheadOfTheQueueAndClosesOnceItIsWrittenOrAfterTheTimeout() {
        shutdown.close(ErrorCode.KEEPALIVE_TIMEOUT, "silent peer");
        String goAway = "GO_AWAY KEEPALIVE_TIMEOUT silent peer";
        assertThat(connection.take()).as("nothing the peer sends after it is read")
                .containsExactly(goAway, "flush", "close once written: " + goAway, "stop reading");
        assertThat(shutdown.closing()).isTrue();
        assertThat(shutdown.closeReason()).isEqualTo("silent peer");

        connection.advance(TIMEOUT.toNanos());

        assertThat(connection.take()).as("a peer that does not take the GO_AWAY").containsExactly("close");
    }

    @Test
    void theConnectionClosingCancelsTheDeadlines() {
        shutdown.close(ErrorCode.NO_ERROR, "done");
        connection.take();

        assertThat(shutdown.connectionClosed()).isEqualTo("done");
        connection.advance(TIMEOUT.toNanos() * 2);

        assertThat(connection.take()).isEmpty();
    }

    @Test
    void aProtocolErrorClosesWithItsCodeAndAFailedConnectionWithoutAWord() {
        shutdown.failed(new DecoderException(new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, "too much DATA")));
        assertThat(connection.frames()).startsWith("GO_AWAY FLOW_CONTROL_ERROR too much DATA");

        SessionShutdown other = new SessionShutdown("test-session", TIMEOUT, writer);
        other.bind(connection, streams);
        other.failed(new IOException("Connection reset by peer"));
        assertThat(connection.take()).containsExactly("close");
        assertThat(other.closeReason()).isEqualTo("Connection reset by peer");
    }

    @Test
    void anyOtherErrorIsThisSidesFault() {
        shutdown.failed(new IllegalStateException("a bug"));

        assertThat(connection.frames()).startsWith("GO_AWAY INTERNAL_ERROR internal error");
    }
}
