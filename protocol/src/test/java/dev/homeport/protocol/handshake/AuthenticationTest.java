package dev.homeport.protocol.handshake;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.GoAway;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.homeport.protocol.handshake.HandshakeTest.assertFailed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PROTOCOL.md, "Authentication": the token key, its id, the proof, and what the relay does with a bad one. */
class AuthenticationTest {
    private static final String REFUSAL = "authentication failed: this relay does not accept that token";
    private static final ProtocolSettings SETTINGS = ProtocolSettings.defaults();
    private static final TokenKey ALICE = TokenKey.fromToken("alice", "correct horse battery staple");
    private static final TokenKeyLookup RELAY_TOKENS = id -> id == ALICE.id() ? ALICE : null;

    private final List<HandshakeLink> links = new ArrayList<>();

    @AfterEach
    void closeAll() {
        links.forEach(HandshakeLink::close);
    }

    // ---- the key, the id and the proof ----

    @Test
    void keyIdAndProofAreTheHashesTheSpecDefines() throws Exception {
        byte[] serverNonce = bytes(32, 1);
        byte[] clientNonce = bytes(32, 2);

        byte[] key = sha256(concat(ascii("homeport-token-key-v1\0"), "correct horse battery staple".getBytes(StandardCharsets.UTF_8)));
        long id = ByteBuffer.wrap(sha256(concat(ascii("homeport-token-id-v1\0"), key))).getLong();
        Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] proof = hmac.doFinal(concat(ascii("homeport-auth-v1\0"), new byte[] {1}, serverNonce, clientNonce));

        assertThat(ALICE.keyHash()).containsExactly(key);
        assertThat(ALICE.id()).isEqualTo(id);
        assertThat(ALICE.proof(1, serverNonce, clientNonce)).containsExactly(proof);
        assertThat(ALICE.verify(1, serverNonce, clientNonce, proof)).isTrue();
    }

    @Test
    void keyRebuiltFromItsStoredHashIsTheSameKey() {
        TokenKey stored = TokenKey.fromKeyHash("alice", ALICE.keyHash());

        assertThat(stored).isEqualTo(ALICE).hasSameHashCodeAs(ALICE);
        assertThat(stored.id()).isEqualTo(ALICE.id());
        assertThat(stored.proof(1, bytes(32, 5), bytes(32, 6))).containsExactly(ALICE.proof(1, bytes(32, 5), bytes(32, 6)));
    }

    @Test
    void proofDependsOnEachNonceAndTheVersion() {
        byte[] base = ALICE.proof(1, bytes(32, 1), bytes(32, 2));

        assertThat(ALICE.proof(1, bytes(32, 9), bytes(32, 2))).isNotEqualTo(base);
        assertThat(ALICE.proof(1, bytes(32, 1), bytes(32, 9))).isNotEqualTo(base);
        assertThat(ALICE.proof(2, bytes(32, 1), bytes(32, 2))).isNotEqualTo(base);
        assertThat(TokenKey.fromToken("alice", "another token").proof(1, bytes(32, 1), bytes(32, 2))).isNotEqualTo(base);
    }

    @Test
    void proofWithOneBitFlippedIsRejected() {
        byte[] proof = ALICE.proof(1, bytes(32, 1), bytes(32, 2));
        proof[31] ^= 1;

        assertThat(ALICE.verify(1, bytes(32, 1), bytes(32, 2), proof)).isFalse();
        assertThat(ALICE.verify(1, bytes(32, 1), bytes(32, 2), new byte[31])).isFalse();
    }

    /**
     * TokenKey.verify compares with MessageDigest.isEqual, whose time depends only on the expected
     * length (32), never on where the bytes differ; so a proof is refused alike wherever it differs.
     */
    @Test
    void theProofIsComparedWholeWhereverItDiffersAndWhateverItsLength() {
        byte[] proof = ALICE.proof(1, bytes(32, 1), bytes(32, 2));
        for (int i : new int[]{0, 15, 31}) {
            byte[] wrong = proof.clone();
            wrong[i] ^= (byte) 0x80;
            assertThat(ALICE.verify(1, bytes(32, 1), bytes(32, 2), wrong)).as("differs at byte %d", i).isFalse();
        }
        assertThat(ALICE.verify(1, bytes(32, 1), bytes(32, 2), java.util.Arrays.copyOf(proof, 16))).as("a prefix").isFalse();
        assertThat(ALICE.verify(1, bytes(32, 1), bytes(32, 2), java.util.Arrays.copyOf(proof, 33))).as("one byte more").isFalse();
        assertThat(ALICE.verify(1, bytes(32, 1), bytes(32, 2), new byte[0])).as("empty").isFalse();
        assertThat(ALICE.verify(1, bytes(32, 1), bytes(32, 2), proof)).as("the proof itself").isTrue();
    }

    @Test
    void keysAreBuiltOnlyFromUsableInput() {
        assertThatThrownBy(() -> TokenKey.fromToken("x", "")).hasMessage("token must not be empty");
        assertThatThrownBy(() -> TokenKey.fromKeyHash("x", new byte[31])).hasMessage("token key hash must be 32 bytes, got 31");
        assertThat(ALICE.toString()).doesNotContain("correct horse").startsWith("TokenKey(alice, id=");
    }

    // ---- the relay's answer ----

    @Test
    void wrongTokenIsRefusedWithAuthFailedOnBothSides() {
        HandshakeLink client = client(TokenKey.fromToken("mallory", "guess"));
        HandshakeLink relay = relay(id -> ALICE); // knows the id, but the key does not match

        HandshakeLink.shuttle(client, relay);

        assertFailed(relay, ErrorCode.AUTH_FAILED, REFUSAL);
        assertFailed(client, ErrorCode.AUTH_FAILED, "relay refused the session: " + REFUSAL);
        assertThat(client.received).containsExactly(FrameType.CHALLENGE, new GoAway(ErrorCode.AUTH_FAILED, REFUSAL));
        assertThat(relay.received).as("the client does not answer a GO_AWAY").containsExactly(FrameType.HELLO, FrameType.AUTH);
    }

    @Test
    void unknownTokenIdGetsTheSameAnswerAsAWrongProof() {
        HandshakeLink client = client(TokenKey.fromToken("mallory", "guess"));
        HandshakeLink relay = relay(RELAY_TOKENS);

        HandshakeLink.shuttle(client, relay);

        assertFailed(relay, ErrorCode.AUTH_FAILED, REFUSAL);
        assertThat(client.received).containsExactly(FrameType.CHALLENGE, new GoAway(ErrorCode.AUTH_FAILED, REFUSAL));
    }

    @Test
    void recordedHelloAndAuthReplayedOnANewConnectionAreRefused() {
        HandshakeLink client = client(ALICE);
        HandshakeLink relay = relay(RELAY_TOKENS);
        HandshakeLink.shuttle(client, relay);
        assertThat(relay.event(HandshakeCompleted.class).principal()).isEqualTo("alice");
        byte[] recorded = new byte[client.sent.readableBytes()];
        client.sent.getBytes(client.sent.readerIndex(), recorded);

        HandshakeLink secondRelay = relay(RELAY_TOKENS);
        secondRelay.receive(Unpooled.wrappedBuffer(recorded));

        assertThat(secondRelay.received).containsExactly(FrameType.HELLO, FrameType.AUTH);
        assertFailed(secondRelay, ErrorCode.AUTH_FAILED, REFUSAL);
    }

    @Test
    void everyConnectionGetsAFreshServerNonce() {
        HandshakeLink a = client(ALICE);
        HandshakeLink relayA = relay(RELAY_TOKENS);
        HandshakeLink b = client(ALICE);
        HandshakeLink relayB = relay(RELAY_TOKENS);

        HandshakeLink.shuttle(a, relayA);
        HandshakeLink.shuttle(b, relayB);

        assertThat(relayA.sent.readableBytes()).isEqualTo(relayB.sent.readableBytes());
        assertThat(relayA.sent).as("CHALLENGE and WELCOME bytes").isNotEqualTo(relayB.sent);
        assertThat(relayA.event(HandshakeCompleted.class).sessionId()).isNotEqualTo(relayB.event(HandshakeCompleted.class).sessionId());
    }

    // ---- helpers ----

    private HandshakeLink client(TokenKey token) {
        HandshakeLink link = HandshakeLink.client(SETTINGS, token);
        links.add(link);
        return link;
    }

    private HandshakeLink relay(TokenKeyLookup tokens) {
        HandshakeLink link = HandshakeLink.server(SETTINGS, tokens);
        links.add(link);
        return link;
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
