package dev.homeport.server.peer;

import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.handshake.TokenKey;

import java.time.Duration;

/**
 * The limits of relay-to-relay peer links (docs/cluster.md, "Peer link"), validated when built.
 *
 * @param secret            the cluster secret all relays share ({@code --peer-secret-file}), or {@code null}: no peer link
 * @param maxStreamsPerLink forwarded streams one link carries at once; one more is reset with STREAM_LIMIT
 * @param handshakeTimeout  a peer link not authenticated within this, from its TCP connect, is closed
 * @param dialTimeout       how long the dialing relay waits for the TCP connection to a peer
 * @param maxPendingOpens   public connections that may wait for one link being dialed; more are turned away at once
 * @param redialDelay       after a failed dial, public connections for that peer are turned away for this long
 *                          before the next dial, so that a dead peer is not dialed once per connection
 */
public record PeerSettings(TokenKey secret, int maxStreamsPerLink, Duration handshakeTimeout, Duration dialTimeout,
                           int maxPendingOpens, Duration redialDelay) {
    public static final int DEFAULT_MAX_STREAMS_PER_LINK = 16_384;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_PENDING_OPENS = 1024;
    public static final Duration DEFAULT_REDIAL_DELAY = Duration.ofSeconds(1);
    /** No secret: the relay runs no peer link. */
    public static final PeerSettings NONE = new PeerSettings(null, DEFAULT_MAX_STREAMS_PER_LINK, DEFAULT_HANDSHAKE_TIMEOUT,
            DEFAULT_DIAL_TIMEOUT, DEFAULT_MAX_PENDING_OPENS, DEFAULT_REDIAL_DELAY);

    public PeerSettings {
        require(maxStreamsPerLink >= 1, "maxStreamsPerLink must be at least 1, got " + maxStreamsPerLink);
        require(maxPendingOpens >= 1, "maxPendingOpens must be at least 1, got " + maxPendingOpens);
        require(positive(handshakeTimeout), "handshakeTimeout must be positive, got " + handshakeTimeout);
        require(positive(dialTimeout), "dialTimeout must be positive, got " + dialTimeout);
        require(redialDelay != null && !redialDelay.isNegative(), "redialDelay must be zero or more, got " + redialDelay);
    }

    /** The defaults, authenticated by {@code secret}. */
    public static PeerSettings withSecret(TokenKey secret) {
        return NONE.secret(secret);
    }

    public PeerSettings secret(TokenKey key) {
        return new PeerSettings(key, maxStreamsPerLink, handshakeTimeout, dialTimeout, maxPendingOpens, redialDelay);
    }

    public PeerSettings maxStreamsPerLink(int max) {
        return new PeerSettings(secret, max, handshakeTimeout, dialTimeout, maxPendingOpens, redialDelay);
    }

    public PeerSettings timeouts(Duration handshake, Duration dial, Duration redial) {
        return new PeerSettings(secret, maxStreamsPerLink, handshake, dial, maxPendingOpens, redial);
    }

    public PeerSettings maxPendingOpens(int max) {
        return new PeerSettings(secret, maxStreamsPerLink, handshakeTimeout, dialTimeout, max, redialDelay);
    }

    public boolean enabled() {
        return secret != null;
    }

    /** A link's session settings: the relay's own (windows, keep-alive), with this link's stream limit and handshake timeout. */
    ProtocolSettings protocol(ProtocolSettings relay) {
        return relay.withMaxConcurrentStreams(maxStreamsPerLink).withHandshakeTimeout(handshakeTimeout);
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
