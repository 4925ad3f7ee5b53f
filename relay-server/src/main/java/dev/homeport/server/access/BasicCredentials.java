package dev.homeport.server.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The one user name and password a tunnel's public side must present (HTTP basic authentication).
 * Only a SHA-256 digest of {@code user:password} is kept, and presented credentials are compared
 * digest to digest in constant time, so neither the time taken nor memory shows the password.
 */
public final class BasicCredentials {
    private static final String SCHEME = "basic ";
    /** Longest Authorization header value looked at; anything longer is wrong credentials, not work. */
    private static final int MAX_HEADER_LENGTH = 4096;

    private final byte[] digest;
    private final String user;

    private BasicCredentials(String user, byte[] digest) {
        this.user = user;
        this.digest = digest;
    }

    /** Parses {@code USER:PASSWORD}: a non-empty user without ':', and a non-empty password. */
    public static BasicCredentials parse(String userColonPassword) {
        int colon = userColonPassword.indexOf(':');
        if (colon <= 0 || colon == userColonPassword.length() - 1) {
            throw new IllegalArgumentException("basic auth must be USER:PASSWORD with both parts non-empty");
        }
        for (int i = 0; i < userColonPassword.length(); i++) {
            if (Character.isISOControl(userColonPassword.charAt(i))) {
                throw new IllegalArgumentException("basic auth must not contain control characters");
            }
        }
        return new BasicCredentials(userColonPassword.substring(0, colon), sha256(userColonPassword.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Credentials known only by their digest, as another relay of the cluster carries them
     * ({@link #digest()}): they check presented credentials like the parsed ones.
     */
    public static BasicCredentials ofDigest(String user, byte[] digest) {
        if (user.isEmpty() || user.indexOf(':') >= 0 || digest.length != 32) {
            throw new IllegalArgumentException("basic auth digest needs a user without ':' and a SHA-256 digest");
        }
        return new BasicCredentials(user, digest.clone());
    }

    /** The SHA-256 digest of {@code user:password} (never the password), to carry the rule to another relay. */
    public byte[] digest() {
        return digest.clone();
    }

    /** Whether an {@code Authorization} header value carries exactly these credentials. */
    public boolean matches(String authorization) {
        if (authorization == null || authorization.length() > MAX_HEADER_LENGTH
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        byte[] presented;
        try {
            presented = Base64.getDecoder().decode(authorization.substring(SCHEME.length()).trim());
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(presented));
    }

    /** Whether {@code other} holds the same user name and password (compared as digests). */
    public boolean sameAs(BasicCredentials other) {
        return other != null && user.equals(other.user) && MessageDigest.isEqual(digest, other.digest);
    }

    public String user() {
        return user;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "user=" + user;
    }
}
