package dev.homeport.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Proves one held connection is live end to end: sends 16 bytes (connection id, round) to the
 * echo far end and completes when the same 16 bytes came back. The first probe carries the
 * echo mode byte in front.
 */
final class LiveProbe extends ChannelInboundHandlerAdapter {

    static final int PAYLOAD = 2 * Long.BYTES;

    private final long id;
    private final long timeoutMillis;
    private ChannelHandlerContext ctx;
    private boolean modeSent;
    private Promise<Void> pending;
    private ByteBuf received;
    private long round;
    private ScheduledFuture<?> timeout;

    LiveProbe(long id, long timeoutMillis) {
        this.id = id;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Starts one echo round trip; call again only after the previous one completed. */
    Future<Void> probe(long probeRound) {
        Promise<Void> promise = ctx.executor().newPromise();
        ctx.executor().execute(() -> start(promise, probeRound));
        return promise;
    }

    private void start(Promise<Void> promise, long probeRound) {
        if (!ctx.channel().isActive()) {
            promise.tryFailure(new IOException("connection " + id + " is closed"));
            return;
        }
        pending = promise;
        round = probeRound;
        received = ctx.alloc().heapBuffer(PAYLOAD, PAYLOAD);
        ByteBuf out = ctx.alloc().buffer(1 + PAYLOAD);
        if (!modeSent) {
            out.writeByte(FarEndMode.ECHO.code());
            modeSent = true;
        }
        out.writeLong(id).writeLong(round);
        ctx.writeAndFlush(out, ctx.voidPromise());
        timeout = ctx.executor().schedule(() -> {
            if (pending == promise) {
                fail(new IOException("no echo within " + timeoutMillis + " ms on connection " + id
                        + " (is the far end or a relay out of file descriptors?)"));
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            if (pending == null || in.readableBytes() > received.writableBytes()) {
                fail(new IOException("unexpected bytes on connection " + id));
                ctx.close();
                return;
            }
            received.writeBytes(in);
            if (!received.isWritable()) {
                boolean match = received.getLong(0) == id && received.getLong(Long.BYTES) == round;
                if (match) {
                    complete();
                } else {
                    fail(new IOException("connection " + id + " received another connection's echo"));
                }
            }
        } finally {
            ReferenceCountUtil.release(in);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(new IOException("connection " + id + " closed by the far end"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
        ctx.close();
    }

    private void complete() {
        Promise<Void> p = pending;
        clear();
        p.trySuccess(null);
    }

    private void fail(Throwable cause) {
        Promise<Void> p = pending;
        if (p != null) {
            clear();
            p.tryFailure(cause);
        }
    }

    private void clear() {
        pending = null;
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
        if (received != null) {
            received.release();
            received = null;
        }
    }
}
