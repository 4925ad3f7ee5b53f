package dev.homeport.server.admission;

import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Caps the public connections one source address may hold open at once, over every public TCP and
 * HTTP listener together. Checked when a connection is accepted, before any handler or buffer is
 * set up for it: one counter per address with a connection open, removed when its last one closes,
 * so the table never holds more entries than there are open connections.
 */
public final class ConnectionsPerAddress {
    /** Enough for a household's browsers behind one NAT address, few enough that one host cannot fill the relay. */
    public static final int DEFAULT_MAX = 100;

    private final int max;
    private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();
    private final Consumer<InetSocketAddress> refused;

    /** @param refused told of each refused connection (a metric; no log line, as a flood would fill the log) */
    public ConnectionsPerAddress(int max, Consumer<InetSocketAddress> refused) {
        if (max < 1) {
            throw new IllegalArgumentException("max connections per address must be at least 1, got " + max);
        }
        this.max = max;
        this.refused = refused;
    }

    /**
     * Counts {@code ch} against its source address and uncounts it when it closes; an address
     * already at the cap has {@code ch} reset at once (no FIN handshake, no bytes read).
     *
     * @return false if the connection was refused: the caller must not set up its pipeline
     */
    public boolean admit(SocketChannel ch) {
        InetAddress address = ch.remoteAddress().getAddress();
        if (!tryAcquire(address)) {
            refused.accept(ch.remoteAddress());
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> release(address));
        return true;
    }

    boolean tryAcquire(InetAddress address) {
        boolean[] admitted = {false};
        open.compute(address, (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        return admitted[0];
    }

    void release(InetAddress address) {
        open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /** Connections {@code address} holds open now. */
    public int openFrom(InetAddress address) {
        return open.getOrDefault(address, 0);
    }

    /** Addresses with at least one connection open (the size of the table). */
    public int addresses() {
        return open.size();
    }

    public int max() {
        return max;
    }
}
