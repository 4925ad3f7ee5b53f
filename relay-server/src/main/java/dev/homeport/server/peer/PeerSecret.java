package dev.homeport.server.peer;

import dev.homeport.protocol.handshake.TokenKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cluster secret every relay of a cluster shares, which authenticates peer links with the
 * same HMAC challenge as client tokens (PROTOCOL.md, "Authentication"): it never crosses the wire.
 */
public final class PeerSecret {
    /** Shorter secrets are refused: a guessable one would let anyone forward into every tunnel. */
    public static final int MIN_LENGTH = 16;
    /** The key's name in logs: the handshake's principal before the peer's relay id is known. */
    static final String KEY_NAME = "peer";

    private PeerSecret() {
    }

    /** Reads the secret from the first line of {@code file} ({@code --peer-secret-file}). */
    public static TokenKey read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String secret = text.lines().findFirst().orElse("").strip();
        if (secret.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("--peer-secret-file " + file + ": the first line must be a secret of at least "
                    + MIN_LENGTH + " characters (e.g. from `openssl rand -hex 32`), the same on every relay of the cluster");
        }
        return of(secret);
    }

    public static TokenKey of(String secret) {
        return TokenKey.fromToken(KEY_NAME, secret);
    }
}
