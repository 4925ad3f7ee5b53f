package dev.homeport.server.http;

import dev.homeport.server.process.OutOfMemoryGuard;
import dev.homeport.protocol.mux.ChannelStreamBridge;
import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.peer.PeerForwarding;
import dev.homeport.server.tls.acme.Http01ChallengeHandler;
import dev.homeport.server.tls.acme.PendingChallenges;
import dev.homeport.server.admission.ConnectionsPerAddress;
import dev.homeport.server.tunnel.HostRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;

/**
 * The relay's one public HTTP port, shared by every HTTP tunnel: each connection is routed by the
 * Host header of its first request and becomes one stream of that host's tunnel.
 *
 * <p>A connection from an address already at its {@link ConnectionsPerAddress} cap is reset at accept.
 * Pipeline of a public connection, in order: {@link PublicRequestDecoder} (limits, head deadline),
 * {@link HostRouter} (checks, routing, forwarding headers), {@link UpgradeGate} (the switch to raw bytes
 * when the service accepts an upgrade), {@link RequestReencoder}, and,
 * once the stream is open, the {@link ChannelStreamBridge}, which carries the bytes with the stream's
 * flow control and writes the service's answers back to the socket unparsed. With ACME HTTP-01, an
 * {@link Http01ChallengeHandler} right after the decoder answers the CA's checks before routing.
 */
public final class PublicHttpListener {
    private final NetTransport transport;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final HttpSettings settings;
    private final HostRegistry hosts;
    private final RelayMetrics metrics;
    private final ConnectionsPerAddress perAddress;
    /** HTTP-01 answers of the relay's own ACME orders, or {@code null} when it answers none. */
    private final PendingChallenges acmeChallenges;
    private final PeerForwarding forwarding;

    public PublicHttpListener(NetTransport transport, EventLoopGroup acceptors, EventLoopGroup workers, HttpSettings settings,
                              HostRegistry hosts, RelayMetrics metrics, ConnectionsPerAddress perAddress,
                              PendingChallenges acmeChallenges, PeerForwarding forwarding) {
        this.forwarding = forwarding;
        this.perAddress = perAddress;
        this.metrics = metrics;
        this.acmeChallenges = acmeChallenges;
        this.transport = transport;
        this.acceptors = acceptors;
        this.workers = workers;
        this.settings = settings;
        this.hosts = hosts;
    }

    /** Binds {@link HttpSettings#listen()}, blocking until the OS answers; throws if the port is taken. */
    public Channel listen() throws InterruptedException {
        return new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!perAddress.admit(ch)) {
                            return;
                        }
                        ChannelStreamBridge.configure(ch.config());
                        ch.pipeline().addFirst("out-of-memory", OutOfMemoryGuard.INSTANCE);
                        HttpPipeline.addHandlers(ch.pipeline(), settings, hosts, "http", metrics, null, forwarding);
                        // Before the router, so that a challenge is answered even where HTTPS redirects.
                        if (acmeChallenges != null) {
                            ch.pipeline().addAfter("request-decoder", "acme-challenge", new Http01ChallengeHandler(acmeChallenges));
                        }
                    }
                })
                .bind(settings.listen()).sync().channel();
    }
}
