package dev.homeport.bench;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/** Opening the blocking client connections used by throughput, latency and fairness. */
final class Sockets {

    private Sockets() {
    }

    static SocketChannel connect(Target target, int connectTimeoutMillis, boolean noDelay) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, noDelay);
            channel.socket().connect(target.address(), connectTimeoutMillis);
            return channel;
        } catch (IOException e) {
            if (channel != null) {
                Watchdog.closeQuietly(channel);
            }
            throw BenchFailure.io("connecting to " + target, e);
        }
    }
}
