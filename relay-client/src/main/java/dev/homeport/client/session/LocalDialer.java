package dev.homeport.client.session;

import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.message.Open;
import dev.homeport.protocol.mux.ChannelStreamBridge;
import dev.homeport.protocol.mux.MuxStream;
import dev.homeport.protocol.mux.StreamAcceptor;
import dev.homeport.protocol.transport.NetTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

/**
 * Connects each stream the relay opens to the local target of its tunnel, and to nothing else:
 * OPEN names a tunnel id, never a host, so the relay cannot steer the client into the home network.
 * Local sockets share the session's event loop, so bytes cross no thread on this side.
 */
final class LocalDialer implements StreamAcceptor {
    private static final Logger log = LoggerFactory.getLogger(LocalDialer.class);
    private static final String PROXY_ENCODER = "proxy-protocol";

    private final Map<Integer, TunnelSpec> boundTunnels;
    private final NetTransport transport;
    private final EventLoop loop;
    private final Duration connectTimeout;
    private final ChannelGroup connections;
    private final LocalStreamTap tap;

    LocalDialer(Map<Integer, TunnelSpec> boundTunnels, NetTransport transport, EventLoop loop, Duration connectTimeout,
                ChannelGroup connections, LocalStreamTap tap) {
        this.tap = tap;
        this.boundTunnels = boundTunnels;
        this.transport = transport;
        this.loop = loop;
        this.connectTimeout = connectTimeout;
        this.connections = connections;
    }

    @Override
    public void accept(MuxStream stream, Open open) {
        TunnelSpec tunnel = boundTunnels.get(open.tunnelId());
        if (tunnel == null) {
            stream.refuse(ErrorCode.BIND_DENIED, "no tunnel " + open.tunnelId() + " on this client");
            return;
        }
        // OPEN is read while the loop works through a batch of epoll events, in which a local socket
        // closed a moment ago (its stream was reset by the same read) may still have an event pending.
        // A socket created now could get its file descriptor, and Netty, which finds channels by
        // descriptor, would hand it that stale event: a read on a socket still connecting fails with
        // NotYetConnectedException and the stream with it. As a task, the dial runs after the batch.
        loop.execute(() -> dial(stream, open, tunnel));
    }

    private void dial(MuxStream stream, Open open, TunnelSpec tunnel) {
        ChannelStreamBridge bridge = new ChannelStreamBridge(stream, loop);
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelStreamBridge.configure(ch.config());
                        // A graceful stop waits for these: a finished stream may still be writing its last bytes.
                        connections.add(ch);
                        tap.install(tunnel, ch.pipeline());
                        ch.pipeline().addLast("bridge", bridge);
                        if (tunnel.proxyProtocol()) {
                            // Nearest the socket, so the inspector's tap counts only the service's own bytes.
                            ch.pipeline().addFirst(PROXY_ENCODER, HAProxyMessageEncoder.INSTANCE);
                        }
                    }
                })
                .connect(tunnel.localHost(), tunnel.localPort());
        connect.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                log.debug("event=stream_open tunnel={} stream={} peer={}", tunnel.name(), stream.id(), open.peerAddress());
                if (tunnel.proxyProtocol()) {
                    // Before attach: the stream's first bytes, held since OPEN, go out once attached.
                    Channel ch = f.channel();
                    ch.writeAndFlush(ProxyHeader.of(open.endpoints()));
                    ch.pipeline().remove(PROXY_ENCODER);
                }
                stream.attach(bridge);
            } else {
                String reason = f.cause() == null ? "connect failed" : f.cause().getMessage();
                log.warn("event=local_unreachable tunnel={} target={} peer={} reason=\"{}\"", tunnel.name(),
                        tunnel.localTarget(), open.peerAddress(), reason);
                stream.refuse(ErrorCode.LOCAL_UNREACHABLE, "cannot connect to " + tunnel.localTarget() + ": " + reason);
            }
        });
    }
}
