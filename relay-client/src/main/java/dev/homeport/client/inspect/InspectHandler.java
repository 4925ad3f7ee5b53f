package dev.homeport.client.inspect;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches one local HTTP connection: the requests written to the local service and the responses
 * read from it, matched in order (pipelining included), published to the ring. It forwards every
 * buffer at once and unchanged; the scanners only read them. After a 101 both directions are
 * WebSocket frames, counted until the connection closes; the counts are republished while frames
 * flow, at most every {@link InspectSettings#FRAME_COUNT_PUBLISH_MILLIS}.
 */
final class InspectHandler extends ChannelDuplexHandler {
    private final ExchangeRing ring;
    private final String tunnel;
    private final int bodyLimit;
    private final long replayOf;
    /** Told each exchange once it has ended (the replay waits for its own); may be {@code null}. */
    private final Consumer<Exchange> ended;
    private final ArrayDeque<LiveExchange> awaitingResponse = new ArrayDeque<>();
    private final HttpStreamScanner requests = new HttpStreamScanner(false, new Requests());
    private final HttpStreamScanner responses = new HttpStreamScanner(true, new Responses());
    private LiveExchange sending;
    private LiveExchange upgraded;
    private ChannelHandlerContext ctx;
    /** A republish of the upgraded exchange's counts is scheduled. */
    private boolean countsPending;

    InspectHandler(ExchangeRing ring, String tunnel, int bodyLimit, long replayOf, Consumer<Exchange> ended) {
        this.ring = ring;
        this.tunnel = tunnel;
        this.bodyLimit = bodyLimit;
        this.replayOf = replayOf;
        this.ended = ended;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            requests.scan(buf);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            responses.scan(buf);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        responses.closed();
        if (upgraded != null) {
            finish(upgraded, Exchange.DONE);
            upgraded = null;
        }
        LiveExchange e;
        while ((e = awaitingResponse.pollFirst()) != null) {
            finish(e, Exchange.ABORTED);
        }
        ctx.fireChannelInactive();
    }

    private void finish(LiveExchange e, String how) {
        e.end(how);
        Exchange done = e.snapshot();
        ring.publish(done);
        if (ended != null) {
            ended.accept(done);
        }
    }

    /** A frame was counted: the page hears of it within the interval, not once per frame. */
    private void frameCounted() {
        if (countsPending || ctx == null) {
            return;
        }
        countsPending = true;
        ctx.executor().schedule(() -> {
            countsPending = false;
            if (upgraded != null) {
                ring.publish(upgraded.snapshot());
            }
        }, InspectSettings.FRAME_COUNT_PUBLISH_MILLIS, TimeUnit.MILLISECONDS);
    }

    private final class Requests implements HttpStreamScanner.Listener {
        @Override
        public HttpHead.Framing onHead(HttpHead head, HttpHead.Framing framing) {
            sending = new LiveExchange(ring.nextId(), tunnel, head, bodyLimit, replayOf);
            awaitingResponse.addLast(sending);
            ring.publish(sending.snapshot());
            return framing;
        }

        @Override
        public void onBody(ByteBuf buf, int index, int length) {
            if (sending != null) {
                sending.requestBody(buf, index, length);
            }
        }

        @Override
        public void onEnd() {
            sending = null;
        }

        @Override
        public void onFrame() {
            if (upgraded != null) {
                upgraded.framesIn++;
                frameCounted();
            }
        }
    }

    private final class Responses implements HttpStreamScanner.Listener {
        /** A 1xx other than 101: its end is not the exchange's. */
        private boolean interim;

        @Override
        public HttpHead.Framing onHead(HttpHead head, HttpHead.Framing framing) {
            LiveExchange e = awaitingResponse.peekFirst();
            int status = head.status();
            interim = status >= 100 && status < 200 && status != 101;
            if (e == null || interim) {
                return HttpHead.Framing.NONE;
            }
            e.response(head);
            if (status == 101) {
                awaitingResponse.pollFirst();
                e.webSocket = true;
                upgraded = e;
                requests.upgrade();
                ring.publish(e.snapshot());
                return HttpHead.Framing.UPGRADE;
            }
            if ("HEAD".equalsIgnoreCase(e.request.first()) || status == 204 || status == 304) {
                return HttpHead.Framing.NONE;
            }
            return framing;
        }

        @Override
        public void onBody(ByteBuf buf, int index, int length) {
            LiveExchange e = awaitingResponse.peekFirst();
            if (e != null) {
                e.responseBody(buf, index, length);
            }
        }

        @Override
        public void onEnd() {
            if (interim) {
                interim = false;
                return;
            }
            LiveExchange e = awaitingResponse.pollFirst();
            if (e != null) {
                finish(e, Exchange.DONE);
            }
        }

        @Override
        public void onFrame() {
            if (upgraded != null) {
                upgraded.framesOut++;
                frameCounted();
            }
        }
    }
}
