package dev.homeport.server.https;

import dev.homeport.server.process.OutOfMemoryGuard;
import dev.homeport.protocol.handshake.HandshakeDeadline;
import dev.homeport.protocol.mux.ChannelStreamBridge;
import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.admission.ConnectionsPerAddress;
import dev.homeport.server.http.ControlUpgrade;
import dev.homeport.server.http.HttpPipeline;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.tls.ServerCertificates;
import dev.homeport.server.tls.ServerNameSniffer;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.peer.PeerForwarding;
import dev.homeport.server.tunnel.HostRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;

/**
 * The relay's one public HTTPS port, shared by HTTP tunnels (TLS ends at the relay) and TLS tunnels
 * (TLS passes through to the home service). Pipeline of a public connection, in order: the
 * {@link ServerNameSniffer}, which holds the first bytes until the ClientHello names a server, then
 * the HTTP handlers of {@link HttpPipeline} with scheme {@code https}. {@link ServerNameRouter}
 * then puts TLS in front of the HTTP handlers, or swaps them for a stream. A client's WebSocket
 * upgrade to the control path becomes a session here ({@link ControlUpgrade}), for clients that
 * may reach the relay only by HTTPS.
 */
public final class PublicHttpsListener {
    private final NetTransport transport;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final HttpsSettings https;
    private final HttpSettings http;
    private final HostRegistry hosts;
    private final ServerCertificates certificates;
    private final RelayMetrics metrics;
    private final ConnectionsPerAddress perAddress;
    private final ControlUpgrade control;
    private final PeerForwarding forwarding;

    /**
     * @param control    client sessions by WebSocket on this port, see {@link ControlUpgrade}
     * @param forwarding where names that other relays of the cluster serve are forwarded
     */
    public PublicHttpsListener(NetTransport transport, EventLoopGroup acceptors, EventLoopGroup workers, HttpsSettings https,
                               HttpSettings http, HostRegistry hosts, ServerCertificates certificates, RelayMetrics metrics,
                               ConnectionsPerAddress perAddress, ControlUpgrade control, PeerForwarding forwarding) {
        this.forwarding = forwarding;
        this.control = control;
        this.metrics = metrics;
        this.perAddress = perAddress;
        this.transport = transport;
        this.acceptors = acceptors;
        this.workers = workers;
        this.https = https;
        this.http = http;
        this.hosts = hosts;
        this.certificates = certificates;
    }

    /** Binds {@link HttpsSettings#listen()}, blocking until the OS answers; throws if the port is taken. */
    public Channel listen() throws InterruptedException {
        ServerNameRouter router = new ServerNameRouter(certificates, hosts, metrics, forwarding);
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
                        HandshakeDeadline.markConnected(ch); // should it become a client session (ControlOverHttps)
                        ch.pipeline().addLast("server-name",
                                new ServerNameSniffer(https.clientHelloLimit(), https.clientHelloTimeout(), router));
                        HttpPipeline.addHandlers(ch.pipeline(), http, hosts, "https", metrics, control, forwarding);
                    }
                })
                .bind(https.listen()).sync().channel();
    }
}
