package dev.homeport.server.cluster;

import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.access.AddressRanges;
import dev.homeport.server.access.BasicCredentials;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A tunnel's {@link AccessPolicy} as one line of text, so the relay that holds the client can tell
 * the others which rules to apply: {@code https_only=true;basic=USER:DIGEST;allow=HEX/BITS,...}, with
 * user and digest in URL-safe base64, {@code -} for no basic auth, and allow blocks as the network's
 * bytes in hex (exact for IPv4, IPv6 and mapped addresses alike). Carries the SHA-256 digest of the
 * credentials, never the password.
 */
public final class AccessPolicyCodec {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODE = Base64.getUrlDecoder();
    private static final HexFormat HEX = HexFormat.of();

    private AccessPolicyCodec() {
    }

    public static String encode(AccessPolicy policy) {
        BasicCredentials auth = policy.basicAuth();
        String basic = auth == null ? "-"
                : B64.encodeToString(auth.user().getBytes(StandardCharsets.UTF_8)) + ":" + B64.encodeToString(auth.digest());
        List<String> blocks = new ArrayList<>();
        for (AddressRanges.Block b : policy.allowFrom().blocks()) {
            blocks.add(HEX.formatHex(b.network()) + "/" + b.prefixBits());
        }
        return "https_only=" + policy.httpsOnly() + ";basic=" + basic + ";allow=" + (blocks.isEmpty() ? "-" : String.join(",", blocks));
    }

    /** The policy {@link #encode} wrote; throws {@link IllegalArgumentException} naming the bad part otherwise. */
    public static AccessPolicy decode(String text) {
        String[] parts = text.split(";", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("access rules must have https_only, basic and allow, got '" + text + "'");
        }
        boolean httpsOnly = Boolean.parseBoolean(field(parts[0], "https_only"));
        String basic = field(parts[1], "basic");
        BasicCredentials auth = null;
        if (!basic.equals("-")) {
            int colon = basic.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("access rules: basic must be USER:DIGEST, got '" + basic + "'");
            }
            auth = BasicCredentials.ofDigest(new String(B64_DECODE.decode(basic.substring(0, colon)), StandardCharsets.UTF_8),
                    B64_DECODE.decode(basic.substring(colon + 1)));
        }
        String allow = field(parts[2], "allow");
        List<AddressRanges.Block> blocks = new ArrayList<>();
        if (!allow.equals("-")) {
            for (String block : allow.split(",")) {
                blocks.add(block(block));
            }
        }
        return new AccessPolicy(httpsOnly, auth, blocks.isEmpty() ? AddressRanges.NONE : new AddressRanges(blocks));
    }

    private static AddressRanges.Block block(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("access rules: allow block must be HEX/BITS, got '" + text + "'");
        }
        byte[] network = HEX.parseHex(text.substring(0, slash));
        int bits = Integer.parseInt(text.substring(slash + 1));
        if ((network.length != 4 && network.length != 16) || bits < 0 || bits > network.length * 8) {
            throw new IllegalArgumentException("access rules: allow block '" + text + "' is not an IPv4 or IPv6 block");
        }
        return new AddressRanges.Block(network, bits);
    }

    private static String field(String part, String name) {
        if (!part.startsWith(name + "=")) {
            throw new IllegalArgumentException("access rules: expected " + name + "=..., got '" + part + "'");
        }
        return part.substring(name.length() + 1);
    }
}
