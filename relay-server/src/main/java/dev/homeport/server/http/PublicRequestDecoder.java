package dev.homeport.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Netty's request decoder with the relay's limits and strict framing, plus a deadline for each
 * request head (slowloris): from the connection's opening, or from the first byte of a later request,
 * the whole head must arrive within {@link HttpSettings#headerTimeout()}, or the connection is closed.
 * A body, and the wait for a response, have no deadline here.
 */
final class PublicRequestDecoder extends HttpRequestDecoder {
    private static final Logger log = LoggerFactory.getLogger(PublicRequestDecoder.class);

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> deadline;
    /** Between requests: the previous one ended and no byte of the next has arrived. */
    private boolean idle;

    PublicRequestDecoder(HttpSettings settings) {
        this(settings, false);
    }

    /** @param betweenRequests added to a connection that already served a request: the deadline starts with the next byte */
    PublicRequestDecoder(HttpSettings settings, boolean betweenRequests) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxInitialLineLength())
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setValidateHeaders(true)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true));
        this.timeoutNanos = settings.headerTimeout().toNanos();
        this.idle = betweenRequests;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm();
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (idle && in.isReadable()) {
            idle = false;
            arm();
        }
        int before = out.size();
        super.decode(ctx, in, out);
        for (int i = before; i < out.size(); i++) {
            Object m = out.get(i);
            if (m instanceof HttpRequest) {
                disarm();
            }
            if (m instanceof LastHttpContent) {
                idle = true;
                if (in.isReadable()) {
                    idle = false;
                    arm(); // part of the next head came with the end of this request
                }
            }
        }
    }

    private void arm() {
        disarm();
        deadline = ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                log.debug("event=http_head_timeout peer={} timeout_ms={}", ctx.channel().remoteAddress(),
                        TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
                ctx.close();
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void disarm() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        try {
            super.channelInactive(ctx); // decodes what is left, which could arm the deadline again
        } finally {
            disarm();
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        disarm();
        super.handlerRemoved0(ctx);
    }
}
