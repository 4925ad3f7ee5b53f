package dev.homeport.protocol.handshake;

/** Where the server finds the key for the token id a client presents; the server's policy decides. */
@FunctionalInterface
public interface TokenKeyLookup {
    /** @return the key, or {@code null} when no valid token has this id */
    TokenKey find(long tokenId);
}
