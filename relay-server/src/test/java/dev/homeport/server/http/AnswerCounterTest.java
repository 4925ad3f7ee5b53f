package dev.homeport.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Counting the service's complete answers, however its bytes are cut, without touching them. */
class AnswerCounterTest {
    private static final String ANSWERS = "HTTP/1.1 100 Continue\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
            + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" // the answer to a HEAD: no body
            + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n"
            + "HTTP/1.1 204 No Content\r\n\r\n"
            + "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"
            + "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno";

    @Test
    void answersAreCountedWhereverTheBytesAreCutAndInterimOnesAndHeadBodiesAreNot() {
        byte[] bytes = ANSWERS.getBytes(StandardCharsets.US_ASCII);
        for (int piece = 1; piece <= bytes.length; piece++) {
            AnswerCounter counter = counter();
            for (int i = 0; i < bytes.length; i += piece) {
                ByteBuf data = ByteBufAllocator.DEFAULT.directBuffer().writeBytes(bytes, i, Math.min(piece, bytes.length - i));
                int readerIndex = data.readerIndex();
                counter.onData(data);
                assertThat(data.readerIndex()).as("the bytes are left for the socket").isEqualTo(readerIndex);
                assertThat(data.refCnt()).isEqualTo(1);
                data.release();
            }
            assertThat(counter.answered()).as("pieces of %d bytes", piece).isEqualTo(6);
            assertThat(counter.stopped()).isFalse();
            counter.end();
            assertThat(counter.stopped()).isTrue();
        }
    }

    @Test
    void anAnswerIsCompleteOnlyWithItsLastByte() {
        AnswerCounter counter = counter();
        assertThat(feed(counter, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhell")).isFalse();
        assertThat(counter.answered()).isZero();
        assertThat(feed(counter, "o")).isTrue();
        assertThat(counter.answered()).isEqualTo(1);
    }

    @Test
    void countingStopsAtASwitchOfProtocolsOrBytesThatAreNotHttp() {
        AnswerCounter upgraded = new AnswerCounter();
        upgraded.expect(HttpMethod.GET);
        assertThat(feed(upgraded, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0002hi"))
                .isTrue();
        assertThat(upgraded.stopped()).isTrue();
        assertThat(feed(upgraded, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).isFalse(); // frames now, not answers
        assertThat(upgraded.answered()).isZero();

        AnswerCounter tunnel = new AnswerCounter();
        tunnel.expect(HttpMethod.CONNECT);
        feed(tunnel, "HTTP/1.1 200 Connection Established\r\n\r\n");
        assertThat(tunnel.stopped()).isTrue();

        AnswerCounter garbage = new AnswerCounter();
        garbage.expect(HttpMethod.GET);
        assertThat(feed(garbage, "SSH-2.0-OpenSSH_9.2\r\n\r\n")).isTrue();
        assertThat(garbage.stopped()).isTrue();
        assertThat(garbage.answered()).isZero();
    }

    private static AnswerCounter counter() {
        AnswerCounter counter = new AnswerCounter();
        for (HttpMethod m : new HttpMethod[]{HttpMethod.POST, HttpMethod.HEAD, HttpMethod.GET, HttpMethod.GET, HttpMethod.GET,
                HttpMethod.GET}) {
            counter.expect(m);
        }
        return counter;
    }

    private static boolean feed(AnswerCounter counter, String text) {
        ByteBuf data = ByteBufAllocator.DEFAULT.directBuffer().writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        try {
            return counter.onData(data);
        } finally {
            data.release();
        }
    }
}
