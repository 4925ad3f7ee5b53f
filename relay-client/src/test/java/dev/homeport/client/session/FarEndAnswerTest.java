package dev.homeport.client.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** What each first answer of a far end makes the client say, read through the recorder on an EmbeddedChannel. */
class FarEndAnswerTest {
    private static final byte[] TLS_ALERT = {21, 3, 3, 0, 2, 2, 40};

    @Test
    void anHttpStatusLineWhereTlsWasExpectedIsAnHttpServer() {
        assertThat(answer(true, false, ascii("HTTP/1.1 400 Bad Request\r\n"), null).wrongPeer())
                .startsWith("relay.test:7700 answered with HTTP, not TLS").contains("--server tcp://relay.test:7700 --insecure-plaintext");
    }

    @Test
    void theBareHtmlPageOfAnHttp09AnswerIsAnHttpServerToo() {
        assertThat(answer(true, false, ascii("<!DOCTYPE HTML>\n<html>"), null).wrongPeer()).contains("answered with HTTP, not TLS");
    }

    @Test
    void aGoAwayFrameWhereTlsWasExpectedIsAPlaintextRelayAndTheFlagIsNamed() {
        // What a plaintext relay answers to a ClientHello: GO_AWAY UNSUPPORTED_VERSION on session 0.
        byte[] goAway = {1, 0x0F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 67};
        assertThat(answer(true, false, goAway, null).wrongPeer())
                .startsWith("relay.test:7700 answered with a plaintext Homeport frame, not TLS")
                .contains("--server tcp://relay.test:7700 --insecure-plaintext");
        assertThat(answer(false, false, goAway, null).wrongPeer()).as("plaintext asked for plaintext: the session says why").isNull();
    }

    @Test
    void aTextBannerIsQuotedWithoutItsLineBreaks() {
        assertThat(answer(true, false, ascii("SSH-2.0-OpenSSH_9.2\r\n"), null).wrongPeer())
                .contains("answered in plain text (\"SSH-2.0-\"), not TLS");
    }

    @Test
    void httpInsideTlsIsAnHttpsServerAndTheWebSocketAddressIsSuggested() {
        assertThat(answer(true, false, null, ascii("HTTP/1.1 400 Bad Request")).wrongPeer())
                .contains("is an HTTPS server").contains("--server wss://relay.test:7700/_homeport");
    }

    @Test
    void aTlsRecordToAPlaintextClientNamesTheFlagToDrop() {
        assertThat(answer(false, false, TLS_ALERT, null).wrongPeer()).contains("answered with TLS, but --insecure-plaintext");
        assertThat(answer(false, true, TLS_ALERT, null).wrongPeer()).contains("or wss://relay.test:7700/_homeport");
    }

    @Test
    void aHomeportFrameOrAWebSocketHandshakeAnswerIsNoWrongPeer() {
        assertThat(answer(false, false, new byte[] {1, 1, 0, 0, 0, 0, 0, 9}, null).wrongPeer()).isNull();
        assertThat(answer(false, true, ascii("HTTP/1.1 101 Switching"), null).wrongPeer()).isNull();
        assertThat(answer(true, false, null, null).wrongPeer()).isNull();
    }

    @Test
    void aSilentCloseGetsTheHintOfItsTransportAndAnAnsweredOneTheGenericReason() {
        assertThat(answer(false, false, null, null).closedEarly()).contains("without answering HELLO")
                .contains("--server relay.test:7700 and no --insecure-plaintext");
        assertThat(answer(true, false, null, null).closedEarly()).contains("during the TLS handshake without answering");
        assertThat(answer(true, false, new byte[] {22, 3, 3}, null).closedEarly()).isEqualTo("connection closed during the handshake");
    }

    @Test
    void theRecorderKeepsOnlyTheFirstBytesAndPassesEverythingOn() {
        FarEndAnswer a = new FarEndAnswer("::1", 7700, true, false);
        EmbeddedChannel ch = new EmbeddedChannel(new FirstBytesRecorder(a, false));
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK", StandardCharsets.US_ASCII));
        ch.writeInbound(Unpooled.copiedBuffer("more", StandardCharsets.US_ASCII));
        assertThat(ch.pipeline().get(FirstBytesRecorder.class)).isNull();
        ByteBuf first = ch.readInbound();
        assertThat(first.toString(StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
        first.release();
        ByteBuf second = ch.readInbound();
        second.release();
        assertThat(a.wrongPeer()).startsWith("[::1]:7700 answered with HTTP");
        ch.finishAndReleaseAll();
    }

    private static FarEndAnswer answer(boolean tls, boolean webSocket, byte[] raw, byte[] inner) {
        FarEndAnswer a = new FarEndAnswer("relay.test", 7700, tls, webSocket);
        if (raw != null) {
            record(a, false, raw);
        }
        if (inner != null) {
            record(a, true, inner);
        }
        return a;
    }

    private static void record(FarEndAnswer a, boolean inner, byte[] bytes) {
        ByteBuf b = Unpooled.wrappedBuffer(bytes);
        a.record(inner, b);
        b.release();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
