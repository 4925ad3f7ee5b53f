package dev.homeport.protocol.transport;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Locale;

/** A certificate's identity as users see it: {@code SHA256:} and the unpadded base64 of its DER digest, as SSH prints keys. */
public final class CertificateFingerprint {
    private CertificateFingerprint() {
    }

    public static String of(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode certificate", e);
        }
    }

    /** Accepts {@code SHA256:base64} or 64 hex digits (with or without colons), as other tools print it. */
    public static String normalize(String text) {
        String t = text.trim();
        if (t.regionMatches(true, 0, "SHA256:", 0, 7)) {
            String b64 = t.substring(7);
            byte[] raw = Base64.getDecoder().decode(b64.length() % 4 == 0 ? b64 : b64 + "=".repeat(4 - b64.length() % 4));
            if (raw.length == 32) {
                return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(raw);
            }
        } else {
            String hex = t.replace(":", "").toLowerCase(Locale.ROOT);
            if (hex.matches("[0-9a-f]{64}")) {
                byte[] raw = java.util.HexFormat.of().parseHex(hex);
                return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(raw);
            }
        }
        throw new IllegalArgumentException("fingerprint must be SHA256:<base64> or 64 hex digits, got '" + text + "'");
    }
}
