package dev.homeport.client.session;

import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.BindOk;
import dev.homeport.protocol.message.BindRefused;
import dev.homeport.protocol.mux.GoAwayReceived;
import dev.homeport.protocol.mux.MuxSession;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Asks the relay for every tunnel as soon as the session starts, and records the answers; the last
 * handler of a client session. A relay that says GO_AWAY is left once its streams have finished.
 */
final class TunnelBinder extends SimpleChannelInboundHandler<Frame> {
    private static final Logger log = LoggerFactory.getLogger(TunnelBinder.class);

    private final MuxSession session;
    private final List<TunnelSpec> tunnels;
    private final Map<Integer, TunnelSpec> boundTunnels;
    private final SessionObserver results;
    /** The port each BIND asked for, by request id: a remembered port may be given up for any. */
    private final int[] askedPorts;
    /** The host name each BIND asked for, by request id: a remembered name may be given up for any. */
    private final String[] askedHosts;
    /** The session's number, read once: every BIND of one session names the same one, retries included. */
    private long connection;

    TunnelBinder(MuxSession session, List<TunnelSpec> tunnels, Map<Integer, TunnelSpec> boundTunnels, SessionObserver results) {
        this.session = session;
        this.tunnels = tunnels;
        this.boundTunnels = boundTunnels;
        this.results = results;
        this.askedPorts = new int[tunnels.size()];
        this.askedHosts = new String[tunnels.size()];
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        connection = results.connection();
        for (int i = 0; i < tunnels.size(); i++) {
            TunnelSpec t = tunnels.get(i);
            askedPorts[i] = t.kind() == TunnelSpec.Kind.TCP ? results.preferredPort(t) : 0;
            askedHosts[i] = t.kind() == TunnelSpec.Kind.TCP ? "" : results.preferredHost(t);
            ctx.write(bind(i, t, askedPorts[i], askedHosts[i]).toFrame(ctx.alloc()));
        }
        ctx.flush();
    }

    private Bind bind(int requestId, TunnelSpec t, int port, String hostname) {
        int kind = switch (t.kind()) {
            case TCP -> Bind.KIND_TCP;
            case HTTP -> Bind.KIND_HTTP;
            case TLS -> Bind.KIND_TLS;
        };
        int flags = (t.access().httpsOnly() ? Bind.FLAG_HTTPS_ONLY : 0) | (t.pool() ? Bind.FLAG_POOL : 0);
        return new Bind(requestId, kind, port, t.name(), hostname, flags, t.access().basicAuth(), t.access().allowFromField(),
                results.instance(), connection);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() == FrameType.BIND_OK) {
            BindOk ok = BindOk.decode(frame.payload());
            TunnelSpec t = tunnelFor(ok.requestId());
            if (t != null) {
                boundTunnels.put(ok.tunnelId(), t);
                results.bound(t, ok.port(), ok.publicAddress());
            }
        } else if (frame.type() == FrameType.BIND_REFUSED) {
            BindRefused refused = BindRefused.decode(frame.payload());
            TunnelSpec t = tunnelFor(refused.requestId());
            int id = refused.requestId();
            if (t != null && refused.code() == ErrorCode.BIND_UNAVAILABLE && t.remotePort() == 0 && askedPorts[id] != 0) {
                // The port remembered from an earlier session went to someone else: the user asked for
                // no port in particular, so any free one will do.
                log.info("event=remembered_port_taken tunnel={} port={}", t.name(), askedPorts[id]);
                askedPorts[id] = 0;
                ctx.writeAndFlush(bind(id, t, 0, "").toFrame(ctx.alloc()));
            } else if (t != null && (refused.code() == ErrorCode.BIND_UNAVAILABLE || refused.code() == ErrorCode.BIND_DENIED)
                    && t.hostname().isEmpty() && !askedHosts[id].isEmpty()) {
                // The remembered name went to someone else, or the token may no longer bind it: the user
                // asked for no name in particular, so the relay may give another.
                log.info("event=remembered_host_refused tunnel={} host={} code={}", t.name(), askedHosts[id], refused.code());
                askedHosts[id] = "";
                ctx.writeAndFlush(bind(id, t, 0, "").toFrame(ctx.alloc()));
            } else if (t != null) {
                results.refused(t, refused.code(), refused.message());
            }
        } else {
            session.close(ErrorCode.PROTOCOL_ERROR, frame.type() + " is sent by the client, not the relay");
        }
    }

    private TunnelSpec tunnelFor(int requestId) {
        if (requestId < 0 || requestId >= tunnels.size()) {
            session.close(ErrorCode.PROTOCOL_ERROR, "bind reply for request " + requestId + ", which was never sent");
            return null;
        }
        return tunnels.get(requestId);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof GoAwayReceived goAway) {
            log.info("event=relay_going_away session={} reason=\"{}\" open_streams={}", session.id(), goAway.message(),
                    session.openStreams());
            // The session drains its open streams and closes itself (PROTOCOL.md, "GO_AWAY"); the client then reconnects.
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
