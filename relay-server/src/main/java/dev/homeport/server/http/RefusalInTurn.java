package dev.homeport.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's own answer to a request it refuses, given in that request's turn: the requests of the
 * connection forwarded before it (pipelined, RFC 9112, 9.3.2) are answered by the service first, then
 * the relay's page goes out and closes the connection. Knows how many requests went to the stream
 * and, from the {@link AnswerCounter}, how many the service has answered. On the public channel's loop.
 */
final class RefusalInTurn {
    private static final Logger log = LoggerFactory.getLogger(RefusalInTurn.class);

    /** A page of the relay's own; {@code extraHeaders} are whole header lines, each ending CRLF. */
    record Refusal(HttpResponseStatus status, String message, boolean json, String extraHeaders) {
    }

    private int forwarded;
    private int answered;
    /** The refusal waiting for the service's answers, or {@code null}. */
    private Refusal owed;

    /** A request goes on to the stream (or is held for it until the stream is open). */
    void forwarded() {
        forwarded++;
    }

    /** A held request was dropped before it reached the stream. */
    void withdrawn() {
        forwarded--;
    }

    boolean anyForwarded() {
        return forwarded > 0;
    }

    /** Whether a refusal waits for answers: the connection still serves those, though it takes no new request. */
    boolean owed() {
        return owed != null;
    }

    /** The refusal will not be sent: another answer of the relay's own takes its place, or the connection ends. */
    void cancel() {
        owed = null;
    }

    /** Sends the page now if every forwarded request has its answer, or once they have. */
    void refuse(Channel channel, Refusal refusal) {
        if (forwarded > answered) {
            owed = refusal;
            log.debug("event=http_refusal_waits peer={} status={} unanswered={}", channel.remoteAddress(), refusal.status().code(),
                    forwarded - answered);
        } else {
            send(channel, refusal);
        }
    }

    /** The service completed {@code total} answers, or ({@code over}) no more will be counted. */
    void answered(Channel channel, int total, boolean over) {
        answered = total;
        if (owed == null || !channel.isActive()) {
            return;
        }
        if (answered >= forwarded) {
            Refusal refusal = owed;
            owed = null;
            send(channel, refusal);
        } else if (over) {
            // The service ended its side, switched protocols or stopped speaking HTTP/1.1 before it answered
            // all: the refusal can no longer come in its turn. What the service sent goes out, then the close.
            owed = null;
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void send(Channel channel, Refusal refusal) {
        ErrorPage.send(channel, refusal.status(), refusal.message(), refusal.json(), refusal.extraHeaders());
    }
}
