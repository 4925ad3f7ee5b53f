package dev.homeport.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
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
    /** Between the start of a request head and its decoding: the bytes are checked for obs-fold. */
    private boolean inHead = true;
    /** Whether the last byte the decoder consumed ended a line (the scan resumes after it). */
    private boolean afterLineFeed = true;
    /** Whether the decoder consumed any of this head's text yet (empty lines before a request line do not count). */
    private boolean headText;
    /** A head was refused here: everything after it is dropped. */
    private boolean rejected;

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

    /** Whether bytes past the last decoded message wait here (e.g. the start of a next request). */
    boolean hasUnreadBytes() {
        return actualReadableBytes() > 0;
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
        if (rejected) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (idle && in.isReadable()) {
            idle = false;
            arm();
        }
        if (inHead && foldedLine(in)) {
            // Netty would join a folded line to the header before it; a server behind may not: refuse (RFC 9112, 5.2).
            rejected = true;
            in.skipBytes(in.readableBytes());
            disarm();
            DefaultFullHttpRequest invalid = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
            invalid.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("obs-fold header line")));
            out.add(invalid);
            return;
        }
        int before = out.size();
        int consumedFrom = in.readerIndex();
        super.decode(ctx, in, out);
        if (inHead && in.readerIndex() > consumedFrom) {
            afterLineFeed = in.getByte(in.readerIndex() - 1) == '\n';
            for (int i = consumedFrom; i < in.readerIndex() && !headText; i++) {
                byte b = in.getByte(i);
                headText = b != '\r' && b != '\n';
            }
        }
        for (int i = before; i < out.size(); i++) {
            Object m = out.get(i);
            if (m instanceof HttpRequest) {
                disarm();
                inHead = false;
            }
            if (m instanceof LastHttpContent) {
                inHead = true;
                afterLineFeed = true;
                headText = false;
                idle = true;
                if (in.isReadable()) {
                    idle = false;
                    arm(); // part of the next head came with the end of this request
                }
            }
        }
    }

    /**
     * Whether the unread part of the head has a line starting with a space or a tab (obs-fold). The
     * scan stops at the empty line that ends the head, so a body is never looked at; it covers at
     * most the head size limit, as the decoder consumes each header line once it is complete.
     */
    private boolean foldedLine(ByteBuf in) {
        boolean lineStart = afterLineFeed;
        boolean text = headText;
        for (int i = in.readerIndex(); i < in.writerIndex(); i++) {
            byte b = in.getByte(i);
            if (lineStart && text) {
                if (b == ' ' || b == '\t') {
                    return true;
                }
                if (b == '\r' || b == '\n') {
                    return false; // the empty line: the head ends here
                }
            }
            lineStart = b == '\n';
            text |= b != '\r' && b != '\n';
        }
        return false;
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
