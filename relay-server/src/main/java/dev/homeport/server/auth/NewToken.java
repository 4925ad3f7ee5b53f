package dev.homeport.server.auth;

import dev.homeport.protocol.handshake.TokenKey;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;

/**
 * A token just made: the secret, shown once, and the entry a store keeps (its key hash, never the
 * secret). Shared by the tokens file and the cluster's token store, so both check names and
 * reservations alike and hash the same way.
 */
public record NewToken(String token, TokenFile.Entry entry) {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Checks the name and makes a fresh secret for it; refuses the name reserved for the {@code --token} holder. */
    public static NewToken make(String name, TokenRights rights) {
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("token name must be 1-64 of A-Z a-z 0-9 . _ -, got '" + name + "'");
        }
        if (TokenFile.isReserved(name)) {
            throw new IllegalArgumentException(TokenFile.reservedReason(name));
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = "hp_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new NewToken(token, new TokenFile.Entry(name, TokenKey.fromToken(name, token).keyHash(), rights, Instant.now()));
    }

    /** Refuses this token when its name is taken or its reserved port or host name is another token's. */
    public void checkAgainst(Collection<TokenFile.Entry> existing) {
        if (existing.stream().anyMatch(other -> other.name().equals(entry.name()))) {
            throw new IllegalArgumentException("a token named '" + entry.name() + "' exists; revoke it first");
        }
        TokenRights rights = entry.rights();
        for (TokenFile.Entry other : existing) {
            if (rights.reservedPort() != 0 && other.rights().reservedPort() == rights.reservedPort()) {
                throw new IllegalArgumentException("port " + rights.reservedPort() + " is already reserved for token '"
                        + other.name() + "'");
            }
            if (!rights.reservedHost().isEmpty() && other.rights().reservedHost().equals(rights.reservedHost())) {
                throw new IllegalArgumentException("host " + rights.reservedHost() + " is already reserved for token '"
                        + other.name() + "'");
            }
        }
    }
}
