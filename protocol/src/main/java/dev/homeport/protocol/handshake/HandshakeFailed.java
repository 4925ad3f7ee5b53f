package dev.homeport.protocol.handshake;

import dev.homeport.protocol.ErrorCode;

/** User event fired when a handshake ends without a session; the connection is closed right after. */
public record HandshakeFailed(ErrorCode code, String message, String remoteAddress) {
}
