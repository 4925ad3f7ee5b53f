package dev.homeport.protocol.handshake;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The secret a token stands for, and the proof of holding it (PROTOCOL.md, "Authentication").
 * The token itself never crosses the wire: the client sends a public 64-bit id and an HMAC-SHA256,
 * keyed by a hash of the token, over both sides' fresh nonces, which makes a recorded proof useless
 * on any other connection.
 */
public final class TokenKey {
    private static final byte[] KEY_LABEL = "homeport-token-key-v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID_LABEL = "homeport-token-id-v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROOF_LABEL = "homeport-auth-v1\0".getBytes(StandardCharsets.US_ASCII);

    private final String name;
    private final byte[] key;
    private final long id;

    private TokenKey(String name, byte[] key) {
        this.name = name;
        this.key = key;
        this.id = ByteBuffer.wrap(sha256(ID_LABEL, key)).getLong();
    }

    /** @param name what logs call the holder of this token, never the token itself */
    public static TokenKey fromToken(String name, String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("token must not be empty");
        }
        return new TokenKey(name, sha256(KEY_LABEL, token.getBytes(StandardCharsets.UTF_8)));
    }

    /** Rebuilds a key from its stored hash ({@link #keyHash()}), so a tokens file need not hold tokens. */
    public static TokenKey fromKeyHash(String name, byte[] keyHash) {
        if (keyHash.length != 32) {
            throw new IllegalArgumentException("token key hash must be 32 bytes, got " + keyHash.length);
        }
        return new TokenKey(name, keyHash.clone());
    }

    public String name() {
        return name;
    }

    public long id() {
        return id;
    }

    public byte[] keyHash() {
        return key.clone();
    }

    public byte[] proof(int version, byte[] serverNonce, byte[] clientNonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(PROOF_LABEL);
            mac.update((byte) version);
            mac.update(serverNonce);
            mac.update(clientNonce);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** Constant-time comparison, so the time taken does not tell how many leading bytes matched. */
    public boolean verify(int version, byte[] serverNonce, byte[] clientNonce, byte[] presented) {
        return MessageDigest.isEqual(proof(version, serverNonce, clientNonce), presented);
    }

    private static byte[] sha256(byte[] label, byte[] value) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(label);
            return digest.digest(value);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return "TokenKey(" + name + ", id=" + Long.toHexString(id) + ')';
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenKey k && k.id == id && Arrays.equals(k.key, key);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }
}
