package dev.homeport.client.inspect;

import io.netty.buffer.ByteBuf;

import java.util.List;
import java.util.Map;

/** An exchange while its bytes pass: written only on its connection's loop, published as {@link Exchange} snapshots. */
final class LiveExchange {
    final long id;
    private final String tunnel;
    private final long replayOf;
    private final long startedAtMillis = System.currentTimeMillis();
    private final long startedNanos = System.nanoTime();
    final HttpHead request;
    private HttpHead response;
    private final BodyPreview requestBody;
    private final BodyPreview responseBody;
    private long endedNanos = -1;
    boolean webSocket;
    long framesIn;
    long framesOut;
    private String state = Exchange.PENDING;

    LiveExchange(long id, String tunnel, HttpHead request, int bodyLimit, long replayOf) {
        this.id = id;
        this.tunnel = tunnel;
        this.request = request;
        this.replayOf = replayOf;
        this.requestBody = new BodyPreview(bodyLimit);
        this.responseBody = new BodyPreview(bodyLimit);
    }

    void requestBody(ByteBuf buf, int index, int length) {
        requestBody.add(buf, index, length);
    }

    void responseBody(ByteBuf buf, int index, int length) {
        responseBody.add(buf, index, length);
    }

    void response(HttpHead head) {
        this.response = head;
    }

    HttpHead response() {
        return response;
    }

    void end(String how) {
        if (endedNanos < 0) {
            endedNanos = System.nanoTime();
        }
        state = how;
    }

    Exchange snapshot() {
        double duration = endedNanos < 0 ? -1 : Math.round((endedNanos - startedNanos) / 10_000.0) / 100.0;
        return new Exchange(id, tunnel, "http", startedAtMillis, request.first(), request.second(),
                response == null ? 0 : response.status(), response == null ? "" : response.third(), duration,
                request.headers(), response == null ? List.<Map.Entry<String, String>>of() : response.headers(),
                requestBody.total(), responseBody.total(), requestBody.bytes(), responseBody.bytes(),
                webSocket, framesIn, framesOut, replayOf, state);
    }
}
