package dev.homeport.server.peer;

/** Why a peer link could not be used: its dial, its handshake or its limits; the message is for one log line. */
final class PeerLinkException extends Exception {
    PeerLinkException(String message) {
        super(message, null, false, false);
    }
}
