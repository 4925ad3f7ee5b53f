package dev.homeport.server.auth;

import dev.homeport.protocol.handshake.TokenKeyLookup;

import java.util.function.Consumer;

/** The relay's tokens: their keys (for the handshake) and their rights (for BIND). */
public interface TokenDirectory extends TokenKeyLookup {
    /** @return the rights of the token named {@code principal}; none if it is gone */
    TokenRights rights(String principal);

    /** @return the name of the token that holds {@code port} as its reserved port, or {@code null} */
    default String reservedBy(int port) {
        return null;
    }

    /** @return the name of the token that holds {@code host} (canonical) as its reserved host name, or {@code null} */
    default String reservedHostBy(String host) {
        return null;
    }

    /** Records a successful login, for {@code token list}. */
    default void used(String principal) {
    }

    /** Asks to be told, with its name, whenever a token stops being valid (revoked). */
    default void onRevoked(Consumer<String> listener) {
    }
}
