package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;

/** User event: the peer sent GO_AWAY; it opens no new streams. Policy decides when to close. */
public record GoAwayReceived(ErrorCode code, String message) {
}
