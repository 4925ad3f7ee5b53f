package dev.homeport.server.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * First handler of a public TLS connection: holds its first bytes, unread by anyone else, until
 * {@link ClientHelloReader} finds the server name, then hands the connection to {@code route},
 * which sets up what comes next and removes this handler: the held bytes then flow on, all of them,
 * from the first. No server name, a malformed or oversized hello, or no hello within
 * {@code timeout}: the connection is closed, never routed to a default.
 */
public final class ServerNameSniffer extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(ServerNameSniffer.class);

    /** Decides where a connection goes once its server name is known. */
    public interface Route {
        /** Called once, on the channel's loop; must remove {@code sniffer} (at once or soon) or close the channel. */
        void route(ChannelHandlerContext sniffer, String serverName);
    }

    private final ClientHelloReader reader;
    private final Duration timeout;
    private final Route route;
    private ScheduledFuture<?> deadline;
    private boolean routed;

    public ServerNameSniffer(int limit, Duration timeout, Route route) {
        this.reader = new ClientHelloReader(limit);
        this.timeout = timeout;
        this.route = route;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> {
            if (!routed && ctx.channel().isActive()) {
                log.debug("event=tls_hello_timeout peer={} timeout_ms={}", ctx.channel().remoteAddress(), timeout.toMillis());
                ctx.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (routed) {
            return; // held until the route removes this handler
        }
        ClientHelloReader.Outcome outcome = reader.offer(in);
        switch (outcome.status()) {
            case NEED_MORE -> {
            }
            case SERVER_NAME -> {
                routed = true;
                cancelDeadline();
                route.route(ctx, outcome.serverName());
            }
            default -> {
                routed = true;
                log.debug("event=tls_hello_refused peer={} outcome={} reason=\"{}\"", ctx.channel().remoteAddress(),
                        outcome.status(), outcome.reason());
                in.skipBytes(in.readableBytes());
                ctx.close();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!routed) {
            routed = true; // half a hello goes nowhere: not to the handlers behind, which await decrypted bytes
            internalBuffer().skipBytes(internalBuffer().readableBytes());
        }
        super.channelInactive(ctx);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        cancelDeadline();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("event=tls_hello_error peer={} reason=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
