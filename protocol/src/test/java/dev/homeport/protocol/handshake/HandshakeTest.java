package dev.homeport.protocol.handshake;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Auth;
import dev.homeport.protocol.message.Challenge;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.protocol.message.Hello;
import dev.homeport.protocol.message.Welcome;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md, "Handshake": the HELLO, CHALLENGE, AUTH, WELCOME sequence, version negotiation, failures and the deadline. */
class HandshakeTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final TokenKey ALICE = TokenKey.fromToken("alice", "correct horse battery staple");
    private static final ProtocolSettings CLIENT_SETTINGS = ProtocolSettings.defaults()
            .withWindows(256 * 1024, 4 * 1024 * 1024, ProtocolSettings.INITIAL_SESSION_WINDOW).withMaxFramePayload(32 * 1024);
    private static final ProtocolSettings RELAY_SETTINGS = ProtocolSettings.defaults()
            .withWindows(1024 * 1024, 8 * 1024 * 1024, ProtocolSettings.INITIAL_SESSION_WINDOW)
            .withMaxFramePayload(128 * 1024).withMaxConcurrentStreams(500);

    private final List<HandshakeLink> links = new ArrayList<>();

    @AfterEach
    void closeAll() {
        links.forEach(HandshakeLink::close);
    }

    @Test
    void successGivesEachSideTheOthersLimits() {
        HandshakeLink client = client();
        HandshakeLink relay = relay();

        HandshakeLink.shuttle(client, relay);

        assertThat(relay.received).containsExactly(FrameType.HELLO, FrameType.AUTH);
        assertThat(client.received).containsExactly(FrameType.CHALLENGE, FrameType.WELCOME);
        HandshakeCompleted atRelay = relay.event(HandshakeCompleted.class);
        HandshakeCompleted atClient = client.event(HandshakeCompleted.class);
        assertThat(atRelay.version()).isEqualTo(1);
        assertThat(atRelay.sessionId()).matches("[0-9a-f]{12}");
        assertThat(atRelay.principal()).isEqualTo("alice");
        assertThat(atRelay.peerAgent()).isEqualTo("homeport-test/1");
        assertThat(atRelay.peerInitialWindow()).isEqualTo(256 * 1024);
        assertThat(atRelay.peerMaxFramePayload()).isEqualTo(32 * 1024);
        assertThat(atRelay.peerMaxConcurrentStreams()).as("the client declares no stream limit").isEqualTo(Integer.MAX_VALUE);
        assertThat(atRelay.handshakeRttNanos()).isNotNegative();
        assertThat(atClient).isEqualTo(new HandshakeCompleted(1, atRelay.sessionId(), "", "", 1024 * 1024, 128 * 1024, 500,
                atClient.handshakeRttNanos()));
        assertThat(atClient.handshakeRttNanos()).isNotNegative();
    }

    @Test
    void handshakeHandlersLeaveThePipelineAndTheConnectionStaysOpen() {
        HandshakeLink client = client();
        HandshakeLink relay = relay();

        HandshakeLink.shuttle(client, relay);

        assertThat(client.channel.pipeline().get(ClientHandshakeHandler.class)).isNull();
        assertThat(relay.channel.pipeline().get(ServerHandshakeHandler.class)).isNull();
        assertThat(client.channel.isActive()).isTrue();
        assertThat(relay.channel.isActive()).isTrue();
    }

    @Test
    void frameArrivingTogetherWithWelcomeReachesTheNextHandler() {
        HandshakeLink client = client();
        client.sentFrames(); // HELLO
        client.receive(new Challenge(1, new byte[32]).toFrame(ALLOC));
        client.sentFrames(); // AUTH

        client.receive(new Welcome(65536, 65536, 10, "s1").toFrame(ALLOC), Frame.empty(FrameType.FIN, 1));

        assertThat(client.events).hasSize(2);
        assertThat(client.events.get(0)).isInstanceOf(HandshakeCompleted.class);
        assertThat(client.events.get(1)).isInstanceOfSatisfying(Frame.class, f -> assertThat(f.type()).isEqualTo(FrameType.FIN));
    }

    // ---- version negotiation ----

    @Test
    void relayRefusesAVersionRangeItDoesNotSpeak() {
        HandshakeLink relay = relay();

        relay.receive(hello(2, 5));

        assertFailed(relay, ErrorCode.UNSUPPORTED_VERSION, "client speaks protocol versions 2-5, this relay speaks 1-1");
        assertThat(relay.sentFrames()).containsExactly(
                new GoAway(ErrorCode.UNSUPPORTED_VERSION, "client speaks protocol versions 2-5, this relay speaks 1-1"));
    }

    @Test
    void relayRefusesAnEmptyVersionRange() {
        HandshakeLink relay = relay();

        relay.receive(hello(1, 0));

        assertFailed(relay, ErrorCode.UNSUPPORTED_VERSION, "client speaks protocol versions 1-0, this relay speaks 1-1");
    }

    @Test
    void relayPicksTheHighestCommonVersion() {
        HandshakeLink relay = relay();

        relay.receive(hello(1, 9));

        assertThat(relay.sentFrames()).containsExactly(FrameType.CHALLENGE);
        assertThat(relay.channel.isActive()).isTrue();
    }

    @Test
    void clientRefusesAVersionOutsideItsRange() {
        HandshakeLink client = client();

        client.receive(new Challenge(2, new byte[32]).toFrame(ALLOC));

        assertFailed(client, ErrorCode.UNSUPPORTED_VERSION, "relay chose protocol version 2, which this client does not speak");
        assertThat(client.sentFrames()).containsExactly(FrameType.HELLO,
                new GoAway(ErrorCode.UNSUPPORTED_VERSION, "relay chose protocol version 2, which this client does not speak"));
    }

    @Test
    void frameHeaderOfAnotherVersionFailsTheHandshakeWithUnsupportedVersion() {
        HandshakeLink relay = relay();

        relay.receive(Unpooled.wrappedBuffer(new byte[] {2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));

        assertFailed(relay, ErrorCode.UNSUPPORTED_VERSION, "frame version 2 is not supported; this peer speaks version 1");
    }

    // ---- frame order and content ----

    @Test
    void relayExpectsHelloFirst() {
        HandshakeLink relay = relay();

        relay.receive(new Auth(1, new byte[32]).toFrame(ALLOC));

        assertFailed(relay, ErrorCode.PROTOCOL_ERROR, "expected HELLO during the handshake, got AUTH");
        assertThat(relay.sentFrames()).containsExactly(
                new GoAway(ErrorCode.PROTOCOL_ERROR, "expected HELLO during the handshake, got AUTH"));
    }

    @Test
    void relayExpectsAuthAfterHello() {
        HandshakeLink relay = relay();

        relay.receive(hello(1, 1), hello(1, 1));

        assertFailed(relay, ErrorCode.PROTOCOL_ERROR, "expected AUTH during the handshake, got HELLO");
    }

    @Test
    void streamFrameDuringTheHandshakeIsProtocolError() {
        HandshakeLink relay = relay();

        relay.receive(Frame.data(1, Unpooled.EMPTY_BUFFER));

        assertFailed(relay, ErrorCode.PROTOCOL_ERROR, "expected HELLO during the handshake, got DATA");
    }

    @Test
    void clientExpectsChallengeBeforeWelcome() {
        HandshakeLink client = client();

        client.receive(new Welcome(65536, 65536, 10, "s").toFrame(ALLOC));

        assertFailed(client, ErrorCode.PROTOCOL_ERROR, "expected CHALLENGE during the handshake, got WELCOME");
    }

    @Test
    void clientExpectsWelcomeAfterChallenge() {
        HandshakeLink client = client();

        client.receive(new Challenge(1, new byte[32]).toFrame(ALLOC), new Challenge(1, new byte[32]).toFrame(ALLOC));

        assertFailed(client, ErrorCode.PROTOCOL_ERROR, "expected WELCOME during the handshake, got CHALLENGE");
    }

    @Test
    void truncatedHelloIsProtocolError() {
        HandshakeLink relay = relay();

        relay.receive(new Frame(FrameType.HELLO, 0, 0, ALLOC.buffer().writeByte(1).writeByte(1).writeZero(10)));

        assertFailed(relay, ErrorCode.PROTOCOL_ERROR, "HELLO payload truncated at field clientNonce: needs 32 more bytes, has 10");
    }

    @Test
    void helloWithImpossibleLimitsIsProtocolError() {
        HandshakeLink small = relay();
        HandshakeLink zero = relay();

        small.receive(new Hello(1, 1, new byte[32], 65536, 1023, "x").toFrame(ALLOC));
        zero.receive(new Hello(1, 1, new byte[32], 0, 65536, "x").toFrame(ALLOC));

        assertFailed(small, ErrorCode.PROTOCOL_ERROR, "max frame payload must be 1024 to 16777216, got 1023");
        assertFailed(zero, ErrorCode.PROTOCOL_ERROR, "initial window must be 1024 to 2^31-1, got 0");
    }

    @Test
    void welcomeWithImpossibleLimitsIsProtocolError() {
        HandshakeLink client = client();
        client.receive(new Challenge(1, new byte[32]).toFrame(ALLOC));

        client.receive(new Welcome(65536, 65536, -1, "s").toFrame(ALLOC));

        assertFailed(client, ErrorCode.PROTOCOL_ERROR, "max concurrent streams must be 1 to 2^31-1, got 4294967295");
    }

    // ---- deadline and disconnects ----

    @Test
    void relayGivesUpOnAHandshakeNotFinishedInTime() {
        HandshakeLink relay = relay();
        relay.receive(hello(1, 1));

        relay.channel.advanceTimeBy(RELAY_SETTINGS.handshakeTimeout().toMillis() - 1, TimeUnit.MILLISECONDS);
        relay.channel.runScheduledPendingTasks();
        assertThat(relay.channel.isActive()).isTrue();

        relay.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        relay.channel.runScheduledPendingTasks();

        assertFailed(relay, ErrorCode.HANDSHAKE_TIMEOUT, "handshake not finished within 10000 ms");
        assertThat(relay.sentFrames()).containsExactly(FrameType.CHALLENGE,
                new GoAway(ErrorCode.HANDSHAKE_TIMEOUT, "handshake not finished within 10000 ms"));
    }

    @Test
    void clientGivesUpOnASilentRelay() {
        HandshakeLink client = HandshakeLink.client(CLIENT_SETTINGS.withHandshakeTimeout(Duration.ofSeconds(3)), ALICE);
        links.add(client);

        client.channel.advanceTimeBy(3, TimeUnit.SECONDS);
        client.channel.runScheduledPendingTasks();

        assertFailed(client, ErrorCode.HANDSHAKE_TIMEOUT, "handshake not finished within 3000 ms");
    }

    @Test
    void deadlineIsCancelledOnSuccess() {
        HandshakeLink client = client();
        HandshakeLink relay = relay();
        HandshakeLink.shuttle(client, relay);

        relay.channel.advanceTimeBy(1, TimeUnit.HOURS);
        relay.channel.runScheduledPendingTasks();
        client.channel.advanceTimeBy(1, TimeUnit.HOURS);
        client.channel.runScheduledPendingTasks();

        assertThat(relay.channel.isActive()).isTrue();
        assertThat(client.channel.isActive()).isTrue();
        assertThat(relay.events).noneMatch(HandshakeFailed.class::isInstance);
    }

    @Test
    void connectionClosedDuringTheHandshakeIsReportedAsCancelled() {
        HandshakeLink relay = relay();
        relay.receive(hello(1, 1));

        relay.channel.close();

        HandshakeFailed failed = relay.event(HandshakeFailed.class);
        assertThat(failed.code()).isEqualTo(ErrorCode.CANCELLED);
        assertThat(failed.message()).isEqualTo("connection closed during the handshake");
    }

    // ---- helpers ----

    private HandshakeLink client() {
        HandshakeLink link = HandshakeLink.client(CLIENT_SETTINGS, ALICE);
        links.add(link);
        return link;
    }

    private HandshakeLink relay() {
        HandshakeLink link = HandshakeLink.server(RELAY_SETTINGS, id -> id == ALICE.id() ? ALICE : null);
        links.add(link);
        return link;
    }

    private static Frame hello(int min, int max) {
        return new Hello(min, max, new byte[32], 65536, 65536, "raw").toFrame(ALLOC);
    }

    static void assertFailed(HandshakeLink link, ErrorCode code, String message) {
        assertThat(link.event(HandshakeFailed.class)).isEqualTo(new HandshakeFailed(code, message, "embedded"));
        assertThat(link.events).noneMatch(HandshakeCompleted.class::isInstance);
        assertThat(link.channel.isOpen()).as("connection closed").isFalse();
    }
}
