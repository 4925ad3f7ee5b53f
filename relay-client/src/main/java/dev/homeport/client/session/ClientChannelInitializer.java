package dev.homeport.client.session;

import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.transport.ClientTransport;
import dev.homeport.client.transport.RelayHost;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameDecoder;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.protocol.handshake.ClientHandshakeHandler;
import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.protocol.transport.QuickAck;
import dev.homeport.protocol.transport.WebSocketFrameAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import java.net.URI;
import java.util.List;

/**
 * The pipeline of the client's connection to the relay, in order: HTTP proxy (if any), TLS (unless
 * plaintext), WebSocket handlers (for ws/wss), then the session: frame codec, handshake and the
 * {@link SessionStarter}; last, the {@link TransportGuard} that reports what failed before a session.
 * Below and inside TLS, a {@link FirstBytesRecorder} keeps what the far end answered first, so that a
 * failure can say what was reached ({@link FarEndAnswer}).
 */
public final class ClientChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final String GUARD = "transport-guard";

    private final RelayClientConfig config;
    private final RelayHost relay;
    private final NetTransport transport;
    private final TokenKey token;
    private final SessionObserver observer;
    private final ChannelGroup localConnections;
    private final LocalStreamTap tap;

    /**
     * @param relay            the relay this connection goes to, by the name TLS checks and WebSocket asks for
     * @param localConnections where every connection to a local service is added while it is open
     * @param tap              told of every connection to a local service (the request inspector)
     */
    public ClientChannelInitializer(RelayClientConfig config, RelayHost relay, NetTransport transport, SessionObserver observer,
                                    ChannelGroup localConnections, LocalStreamTap tap) {
        this.tap = tap;
        this.config = config;
        this.relay = relay;
        this.transport = transport;
        this.token = TokenKey.fromToken("client", config.token());
        this.observer = observer;
        this.localConnections = localConnections;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        transport.configureSessionSocket(ch);
        ClientTransport t = config.transport();
        ChannelPipeline p = ch.pipeline();
        if (t.proxy() != null) {
            p.addLast("quick-ack", QuickAck.INSTANCE); // the proxy may hold small writes until they are acknowledged
            p.addLast("proxy", new HttpProxyHandler(t.proxy()));
        }
        FarEndAnswer answer = new FarEndAnswer(relay.host(), relay.port(), t.tls() != null, t.webSocket());
        answer.attachTo(ch);
        p.addLast("first-bytes", new FirstBytesRecorder(answer, false));
        if (t.tls() != null) {
            SslHandler tls = t.tls().newHandler(ch.alloc(), relay.host(), relay.port());
            SSLParameters params = tls.engine().getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            if (!NetUtil.isValidIpV4Address(relay.host()) && !NetUtil.isValidIpV6Address(relay.host())) {
                // The JDK's engine names only dotted hosts by itself; a relay known by a one-label name
                // (a compose service, an /etc/hosts entry) needs it too, its HTTPS port routes by it.
                params.setServerNames(List.of(new SNIHostName(relay.host())));
            }
            tls.engine().setSSLParameters(params);
            p.addLast("tls", tls);
            p.addLast("first-bytes-inside-tls", new FirstBytesRecorder(answer, true));
        }
        p.addLast(GUARD, new TransportGuard(observer));
        if (t.webSocket()) {
            WebSocketClientProtocolConfig ws = WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(URI.create(t.name() + "://" + hostForUri() + ":" + relay.port() + t.wsPath()))
                    .version(WebSocketVersion.V13)
                    .customHeaders(new DefaultHttpHeaders())
                    .maxFramePayloadLength(config.protocol().maxFramePayload() + Frame.HEADER_LENGTH)
                    .handshakeTimeoutMillis(config.protocol().handshakeTimeout().toMillis())
                    .build();
            p.addBefore(GUARD, "http-codec", new HttpClientCodec())
                    .addBefore(GUARD, "http-aggregator", new HttpObjectAggregator(8192))
                    .addBefore(GUARD, "websocket", new WebSocketClientProtocolHandler(ws))
                    .addBefore(GUARD, "websocket-frames", new WebSocketFrameAdapter())
                    .addBefore(GUARD, "websocket-ready", new WebSocketReady(this::addSession));
        } else {
            addSession(p);
        }
    }

    /** The session handlers, the same over every transport; added in front of the guard. */
    private void addSession(ChannelPipeline p) {
        p.addBefore(GUARD, "frame-decoder", new FrameDecoder(config.protocol().maxFramePayload()))
                .addBefore(GUARD, "frame-encoder", FrameEncoder.INSTANCE)
                .addBefore(GUARD, "handshake", new ClientHandshakeHandler(config.protocol(), token, Agent.NAME))
                .addBefore(GUARD, "session-starter", new SessionStarter(config, transport, observer, localConnections, tap));
    }

    private String hostForUri() {
        String h = relay.host();
        return h.indexOf(':') >= 0 ? "[" + h + "]" : h;
    }
}
