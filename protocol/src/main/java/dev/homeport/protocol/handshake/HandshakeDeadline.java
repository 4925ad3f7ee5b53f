package dev.homeport.protocol.handshake;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * When a connection opened, kept on its channel, so that {@code handshakeTimeout} runs from there
 * (PROTOCOL.md, "Handshake") and not from whatever came later: the TLS handshake, the first byte, a
 * WebSocket upgrade. Without a mark the deadline runs from the handshake handler's start.
 */
public final class HandshakeDeadline {
    private static final AttributeKey<Long> CONNECTED_AT = AttributeKey.valueOf(HandshakeDeadline.class, "connectedAt");

    private HandshakeDeadline() {
    }

    /** Marks {@code channel} as opened now, unless it already is. */
    public static void markConnected(Channel channel) {
        channel.attr(CONNECTED_AT).setIfAbsent(System.nanoTime());
    }

    /** What is left of {@code timeout} for {@code channel}: measured from its mark, or all of it. */
    public static long remainingMillis(Channel channel, Duration timeout) {
        Long connectedAt = channel.attr(CONNECTED_AT).get();
        if (connectedAt == null) {
            return timeout.toMillis();
        }
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectedAt);
        return Math.max(0, timeout.toMillis() - elapsed);
    }
}
