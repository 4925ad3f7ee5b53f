package dev.homeport.server.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Right after TLS on the control port: a connection whose bytes are not TLS, or whose TLS handshake
 * fails, is closed, counted ({@code homeport.tls.failures}, reason {@code not_tls} or {@code handshake}),
 * held against its address like a failed login, and logged in one line, at most one per
 * {@link #LOG_INTERVAL}, never with a stack trace.
 */
final class TlsFailureHandler extends ChannelInboundHandlerAdapter {
    /** Bounds the log, not a resource: the metric counts every failure. */
    static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(TlsFailureHandler.class);

    private final ControlContext context;
    private final ThrottledLog throttledLog;

    TlsFailureHandler(ControlContext context, ThrottledLog throttledLog) {
        this.context = context;
        this.throttledLog = throttledLog;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (!(c instanceof SSLException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        String reason = c instanceof NotSslRecordException ? "not_tls" : "handshake";
        context.metrics().tlsFailed(reason, ctx.channel().remoteAddress());
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
            context.limiter().failed(remote.getAddress());
        }
        long leftOut = throttledLog.admit();
        if (leftOut >= 0) {
            log.warn("event=tls_failed remote={} reason={} detail=\"{}\" unlogged_since_last={}", ctx.channel().remoteAddress(),
                    reason, reason.equals("not_tls") ? "the client did not speak TLS" : c.getMessage(), leftOut);
        }
        ctx.close();
    }
}
