package dev.homeport.server.http;

import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.peer.PeerForwarding;
import dev.homeport.server.tunnel.HostRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;

import java.util.List;

/**
 * The handlers of a public HTTP connection, in order, for the plain HTTP port and, behind TLS, the
 * HTTPS port; see {@link PublicHttpListener} for what each does.
 */
public final class HttpPipeline {
    private static final List<Class<? extends ChannelHandler>> HANDLERS = List.of(PublicRequestDecoder.class, HostRouter.class,
            UpgradeGate.class, RequestReencoder.class);

    private HttpPipeline() {
    }

    /**
     * @param scheme  {@code http}, or {@code https} when a TLS handler sits in front
     * @param control the relay's own entrance on this port, or {@code null} for none
     */
    public static void addHandlers(ChannelPipeline pipeline, HttpSettings settings, HostRegistry hosts, String scheme,
                                   RelayMetrics metrics, ControlUpgrade control) {
        addHandlers(pipeline, settings, hosts, scheme, metrics, control, PeerForwarding.off(metrics));
    }

    /** @param forwarding where hosts that other relays of the cluster serve are forwarded */
    public static void addHandlers(ChannelPipeline pipeline, HttpSettings settings, HostRegistry hosts, String scheme,
                                   RelayMetrics metrics, ControlUpgrade control, PeerForwarding forwarding) {
        pipeline.addLast("request-decoder", new PublicRequestDecoder(settings))
                .addLast("router", new HostRouter(hosts, settings.trustedProxies(), scheme, metrics, control, forwarding))
                .addLast("upgrade-gate", new UpgradeGate(settings))
                .addLast("request-encoder", new RequestReencoder());
    }

    /** Every request on this connection must be for {@code serverName}, the name its TLS handshake gave (421 otherwise). */
    public static void expectServerName(ChannelPipeline pipeline, String serverName) {
        pipeline.get(HostRouter.class).expectServerName(serverName);
    }

    /**
     * Takes the HTTP handlers out for handlers added behind them, when the last request was the
     * connection's last HTTP: returns {@code false}, leaving everything in place, if the decoder
     * holds bytes past it, which would belong to neither protocol.
     */
    public static boolean handOver(ChannelPipeline pipeline) {
        if (pipeline.get(PublicRequestDecoder.class).hasUnreadBytes()) {
            return false;
        }
        removeHandlers(pipeline);
        return true;
    }

    /** Takes the HTTP handlers out, for a connection that turns out to carry something else. */
    public static void removeHandlers(ChannelPipeline pipeline) {
        for (Class<? extends ChannelHandler> type : HANDLERS) {
            if (pipeline.get(type) != null) {
                pipeline.remove(type);
            }
        }
    }
}
