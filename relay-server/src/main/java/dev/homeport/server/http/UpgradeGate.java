package dev.homeport.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;

/**
 * Switches a public connection from HTTP to raw bytes when, and only when, the service accepts an
 * upgrade (WebSocket). Once a request asking for one is forwarded, the request decoder leaves and the
 * client's further bytes are held, unread, until the service's answer begins: {@code 101} takes the
 * HTTP handlers out so bytes pass untouched both ways, with no deadline; any other answer puts a fresh
 * decoder back and the held bytes are read as the next request, so a declined upgrade cannot carry
 * unchecked requests (or forged forwarding headers) past the relay.
 */
final class UpgradeGate extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(UpgradeGate.class);

    private final HttpSettings settings;
    private StreamAnswerWatch answers;
    /** The request passing now asks to switch protocols. */
    private boolean upgrading;
    /** Its end was forwarded: the service's verdict is awaited. */
    private boolean awaiting;
    private boolean readWanted;
    /** What arrived while the verdict was awaited: requests already checked by the router, then raw bytes. */
    private final ArrayDeque<Object> early = new ArrayDeque<>();

    UpgradeGate(HttpSettings settings) {
        this.settings = settings;
    }

    /** The connection's stream is open; its answers decide upgrades. */
    void watch(StreamAnswerWatch answers) {
        this.answers = answers;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (awaiting) {
            early.add(msg);
            return;
        }
        if (msg instanceof HttpRequest request && answers != null) {
            upgrading = request.headers().contains(HttpHeaderNames.UPGRADE);
            if (upgrading) {
                answers.expectSwitch(switched -> ctx.executor().execute(() -> decided(ctx, switched)));
            }
        }
        ctx.fireChannelRead(msg);
        if (upgrading && msg instanceof LastHttpContent) {
            upgrading = false;
            awaiting = true;
            // Bytes the decoder holds beyond the request come back here, raw, and wait with the rest.
            if (ctx.pipeline().get(PublicRequestDecoder.class) != null) {
                ctx.pipeline().remove(PublicRequestDecoder.class);
            }
        }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (awaiting) {
            readWanted = true;
        } else {
            ctx.read();
        }
    }

    private void decided(ChannelHandlerContext ctx, boolean switched) {
        if (!awaiting || ctx.isRemoved() || !ctx.channel().isActive()) {
            return;
        }
        awaiting = false;
        log.debug("event=http_upgrade_{} peer={}", switched ? "accepted" : "declined", ctx.channel().remoteAddress());
        if (switched) {
            for (Object m; (m = early.poll()) != null; ) {
                if (m instanceof ByteBuf) {
                    ctx.fireChannelRead(m);
                } else {
                    ReferenceCountUtil.release(m); // a request pipelined behind an accepted upgrade has no place
                }
            }
            ctx.pipeline().remove(HostRouter.class);
            ctx.pipeline().remove(RequestReencoder.class);
            ctx.pipeline().remove(this);
        } else {
            ctx.pipeline().addFirst("request-decoder", new PublicRequestDecoder(settings, true));
            boolean raw = false;
            ArrayDeque<Object> pending = new ArrayDeque<>(early); // a held request may itself ask to upgrade, and refill early
            early.clear();
            for (Object m; (m = pending.poll()) != null; ) {
                if (m instanceof ByteBuf) {
                    raw = true;
                    ctx.pipeline().fireChannelRead(m); // through the new decoder and the router's checks
                } else {
                    channelRead(ctx, m); // decoded and checked before the decoder left
                }
            }
            if (raw) {
                ctx.pipeline().fireChannelReadComplete();
            }
        }
        if (readWanted && !awaiting) {
            readWanted = false;
            ctx.read();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
    }
}
