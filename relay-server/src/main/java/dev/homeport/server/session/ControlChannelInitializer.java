package dev.homeport.server.session;

import dev.homeport.protocol.handshake.HandshakeDeadline;
import dev.homeport.protocol.transport.NetTransport;
import dev.homeport.server.process.OutOfMemoryGuard;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/**
 * The pipeline of a client's control connection, in order: TLS (unless plaintext was chosen), the
 * {@link TransportSniffer} that adds WebSocket handlers for clients that come by HTTP, then the
 * {@link SessionPipeline}: frame codec, handshake and the installer that becomes the multiplexer.
 */
public final class ControlChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final ControlContext context;
    private final NetTransport transport;
    private final ThrottledLog tlsFailureLog = new ThrottledLog(TlsFailureHandler.LOG_INTERVAL);

    public ControlChannelInitializer(ControlContext context, NetTransport transport) {
        this.context = context;
        this.transport = transport;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (!context.admit(ch)) {
            return;
        }
        HandshakeDeadline.markConnected(ch); // the handshake deadline runs from here, whatever comes first (TLS, WebSocket)
        transport.configureSessionSocket(ch);
        ch.pipeline().addFirst("out-of-memory", OutOfMemoryGuard.INSTANCE);
        if (context.config().tls() != null) {
            ch.pipeline().addLast("tls", context.config().tls().newHandler(ch.alloc()))
                    .addLast("tls-failure", new TlsFailureHandler(context, tlsFailureLog));
        }
        ch.pipeline().addLast("transport-sniffer", new TransportSniffer(context));
    }
}
