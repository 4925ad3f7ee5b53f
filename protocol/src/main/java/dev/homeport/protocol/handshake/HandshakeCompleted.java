package dev.homeport.protocol.handshake;

/**
 * User event fired on the pipeline when a handshake succeeded, just before the handshake handler
 * removes itself; the next handler installs the stream multiplexer with the peer's limits.
 *
 * @param principal the token holder's name on the server side; empty on the client side
 */
public record HandshakeCompleted(
        int version,
        String sessionId,
        String principal,
        String peerAgent,
        int peerInitialWindow,
        int peerMaxFramePayload,
        int peerMaxConcurrentStreams,
        long handshakeRttNanos) {
}
