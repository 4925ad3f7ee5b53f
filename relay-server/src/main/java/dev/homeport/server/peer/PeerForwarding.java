package dev.homeport.server.peer;

import dev.homeport.protocol.message.PeerEndpoints;
import dev.homeport.protocol.mux.ChannelStreamBridge;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.mux.MuxStream;
import dev.homeport.protocol.mux.StreamHandler;
import dev.homeport.protocol.mux.StreamTraffic;
import dev.homeport.server.cluster.PeerRoutes;
import dev.homeport.server.cluster.RemoteRoute;
import dev.homeport.server.metrics.RelayMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The arriving relay's side of forwarding: tells the public listeners which names another relay
 * serves ({@link PeerRoutes}), and opens a public connection's stream on the peer link to that
 * relay, carrying the connection's true endpoints. The listeners apply the route's access rules
 * first, with the true public address, as they do for their own tunnels.
 */
public final class PeerForwarding implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerForwarding.class);

    private final PeerRoutes routes;
    /** {@code null} on a relay without a peer link: nothing is forwarded. */
    private final PeerLinks links;
    private final RelayMetrics metrics;

    private PeerForwarding(PeerRoutes routes, PeerLinks links, RelayMetrics metrics) {
        this.routes = routes;
        this.links = links;
        this.metrics = metrics;
    }

    /** A relay alone: no route is ever found. */
    public static PeerForwarding off(RelayMetrics metrics) {
        return new PeerForwarding(PeerRoutes.NONE, null, metrics);
    }

    static PeerForwarding over(PeerRoutes routes, PeerLinks links, RelayMetrics metrics) {
        return new PeerForwarding(routes, links, metrics);
    }

    /** The relay serving public TCP port {@code port}, or {@code null}. */
    public RemoteRoute forPort(int port) {
        return found(routes.forPort(port), PeerTarget.port(port));
    }

    /** The relay serving {@code host} as an HTTP tunnel, or {@code null}. */
    public RemoteRoute forHttpHost(String host) {
        return found(routes.forHost(host), PeerTarget.http(host));
    }

    /** The relay serving {@code host} as a TLS (passthrough) tunnel, or {@code null}. */
    public RemoteRoute forTlsHost(String host) {
        return found(routes.forHost(host), PeerTarget.tls(host));
    }

    private RemoteRoute found(RemoteRoute route, PeerTarget target) {
        return links != null && target.servedBy(route) ? route : null;
    }

    /**
     * Opens the stream for the public connection on {@code channel} to {@code route}'s relay, once
     * the link is up, on the channel's loop: {@code handler} is built from the stream, and
     * {@code opened} runs right after, where the caller puts its bridge into the pipeline. Without
     * a link {@code unavailable} hears why. Neither runs if the channel closed meanwhile.
     */
    public void open(RemoteRoute route, PeerTarget target, Channel channel, Function<MuxStream, StreamHandler> handler,
                     Consumer<MuxStream> opened, Consumer<String> unavailable) {
        Future<MuxSession> link = links.session(route);
        link.addListener(f -> channel.eventLoop().execute(() -> {
            if (!channel.isActive()) {
                return;
            }
            if (!link.isSuccess()) {
                metrics.peer().streamRefused("link_unavailable");
                log.debug("event=forward_failed target={} peer={} reason=\"{}\"", target, route.relayId(), link.cause().getMessage());
                unavailable.accept("the relay serving " + target.name() + " cannot be reached right now");
                return;
            }
            MuxStream stream = link.getNow().newStream();
            stream.open(target.kind(), target.name(), PeerEndpoints.of(channel.remoteAddress(), channel.localAddress()),
                    handler.apply(stream));
            opened.accept(stream);
            log.debug("event=public_forwarded target={} peer={} stream={} remote={}", target, route.relayId(), stream.id(),
                    channel.remoteAddress());
        }));
    }

    /** What a bridge of a forwarded stream adds its bytes to. */
    public StreamTraffic traffic(PeerTarget target) {
        return metrics.peer().streamForwarded(target.kindName());
    }

    /**
     * Forwards a raw public connection (a TCP port, or a TLS connection passed through) whose
     * handler {@code ctx} holds it with reads off: closes it if the route's allow list does not admit
     * its address, else replaces that handler by a bridge to the peer stream once it is open.
     * {@code beforeBridge} runs just before the bridge goes in (to take out handlers it replaces).
     */
    public void forwardConnection(ChannelHandlerContext ctx, RemoteRoute route, PeerTarget target, Runnable beforeBridge) {
        Channel channel = ctx.channel();
        InetSocketAddress peer = (InetSocketAddress) channel.remoteAddress();
        if (!route.access().admits(peer.getAddress())) {
            metrics.peer().streamRefused("access");
            log.debug("event=public_rejected target={} peer={} remote={} reason=\"not in the allow list\"", target, route.relayId(), peer);
            ctx.close();
            return;
        }
        StreamTraffic traffic = traffic(target);
        ChannelStreamBridge[] bridge = new ChannelStreamBridge[1];
        open(route, target, channel, s -> bridge[0] = new ChannelStreamBridge(s, channel.eventLoop(), traffic), s -> {
            beforeBridge.run();
            channel.pipeline().addLast("bridge", bridge[0]);
            if (!ctx.isRemoved()) {
                // After the OPEN the session queued: held bytes passed on now could overtake it on a shared loop.
                ctx.executor().execute(() -> {
                    if (!ctx.isRemoved()) {
                        ctx.pipeline().remove(ctx.handler());
                    }
                });
            }
        }, reason -> ctx.close());
    }

    @Override
    public void close() {
        if (links != null) {
            links.close();
        }
    }

    /** No new forwarded streams; those open go on. */
    public void drain() {
        if (links != null) {
            links.drain();
        }
    }
}
