package dev.homeport.server.auth;

import dev.homeport.protocol.handshake.TokenKey;

/** The one-person setup: a single shared token given by {@code --token} or HOMEPORT_TOKEN. */
public final class SingleToken implements TokenDirectory {
    public static final String PRINCIPAL = "default";
    private final TokenKey key;

    public SingleToken(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a token is required (--token or HOMEPORT_TOKEN); the relay does not run open");
        }
        this.key = TokenKey.fromToken(PRINCIPAL, token);
    }

    @Override
    public TokenKey find(long tokenId) {
        return tokenId == key.id() ? key : null;
    }

    @Override
    public TokenRights rights(String principal) {
        return PRINCIPAL.equals(principal) ? TokenRights.ALL : null;
    }
}
