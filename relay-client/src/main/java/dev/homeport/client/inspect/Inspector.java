package dev.homeport.client.inspect;

import dev.homeport.client.TunnelSpec;
import dev.homeport.client.session.LocalStreamTap;
import dev.homeport.protocol.transport.NetTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The request inspector of a running client: a {@link LocalStreamTap} that watches every local
 * connection of its HTTP tunnels into a bounded {@link ExchangeRing}, and a small web page with a
 * JSON API on its own one-thread event loop, so the page never costs the tunnel's loop a wait.
 */
public final class Inspector implements LocalStreamTap, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Inspector.class);
    /** Largest request the inspector's own page accepts (a replay's edits). */
    static final int MAX_API_REQUEST = 256 * 1024;

    private final InspectSettings settings;
    private final ExchangeRing ring;
    private final EventLoopGroup group;
    private final Channel server;
    private final Predicate<TunnelSpec> carriesHttp;

    private Inspector(InspectSettings settings, ExchangeRing ring, EventLoopGroup group, Channel server,
                      Predicate<TunnelSpec> carriesHttp) {
        this.settings = settings;
        this.carriesHttp = carriesHttp;
        this.ring = ring;
        this.group = group;
        this.server = server;
    }

    /**
     * Binds the page at the settings' address, or the next free port above it (up to
     * {@link InspectSettings#PORT_ATTEMPTS}); throws if none is free.
     */
    public static Inspector start(InspectSettings settings, List<TunnelSpec> tunnels, Duration connectTimeout)
            throws InterruptedException {
        return start(settings, tunnels, connectTimeout, t -> t.kind() == TunnelSpec.Kind.HTTP);
    }

    /**
     * As above; {@code carriesHttp} names the tunnels whose local connections are read as HTTP/1.x: HTTP
     * tunnels, and TCP tunnels known to carry plain HTTP (a Jupyter server without TLS behind a public
     * port). TLS tunnels are listed per connection; other TCP tunnels are not watched.
     */
    public static Inspector start(InspectSettings settings, List<TunnelSpec> tunnels, Duration connectTimeout,
                                  Predicate<TunnelSpec> carriesHttp) throws InterruptedException {
        NetTransport transport = NetTransport.best();
        EventLoopGroup group = transport.newGroup(1, "homeport-inspect");
        ExchangeRing ring = new ExchangeRing(settings.capacity());
        Map<String, TunnelSpec> byName = tunnels.stream().collect(Collectors.toMap(TunnelSpec::name, Function.identity()));
        Replayer replayer = new Replayer(transport, group, ring, byName, settings.bodyLimit(), connectTimeout);
        ExchangeJson json = new ExchangeJson(settings.showSecrets());
        ServerBootstrap b = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(MAX_API_REQUEST))
                                .addLast(new InspectorPage(ring, json, replayer, settings));
                    }
                });
        InetSocketAddress first = settings.address();
        RuntimeException lastError = null;
        for (int i = 0; i < InspectSettings.PORT_ATTEMPTS && first.getPort() + i <= 65535; i++) {
            InetSocketAddress at = new InetSocketAddress(first.getAddress(), first.getPort() == 0 ? 0 : first.getPort() + i);
            try {
                Channel ch = b.bind(at).sync().channel();
                Inspector inspector = new Inspector(settings, ring, group, ch, carriesHttp);
                log.info("event=inspector_listening address={} capacity={} body_limit={} exposed={}", inspector.url(),
                        settings.capacity(), settings.bodyLimit(), settings.exposed());
                if (settings.exposed()) {
                    log.warn("event=inspector_exposed address={} detail=\"the request inspector shows request headers "
                            + "and bodies and can replay requests; it listens beyond loopback\"", inspector.url());
                }
                return inspector;
            } catch (Exception e) {
                lastError = new IllegalStateException("cannot listen for the inspector on " + at + ": " + e.getMessage(), e);
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        throw lastError;
    }

    /** The page's address, as printed beside the public URL. */
    public String url() {
        InetSocketAddress a = (InetSocketAddress) server.localAddress();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public ExchangeRing ring() {
        return ring;
    }

    @Override
    public void install(TunnelSpec tunnel, ChannelPipeline pipeline) {
        if (carriesHttp.test(tunnel)) {
            pipeline.addLast("inspect", new InspectHandler(ring, tunnel.name(), settings.bodyLimit(), 0, null));
        } else if (tunnel.kind() == TunnelSpec.Kind.TLS) {
            pipeline.addLast("inspect", new ConnectionMeter(ring, tunnel.name()));
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
