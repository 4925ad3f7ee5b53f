package dev.homeport.registry.etcd;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The key layout under the cluster's prefix (default {@code /homeport/}):
 * <pre>
 * relays/RELAY                      peer address HOST:PORT         relay lease (TTL ~10 s)
 * claims/NAME                       {@link ClaimValue}             claim lease (TTL = grace)
 * members/NAME/RELAY/SESSION        {@link MemberValue}            relay lease
 * tokens/TOKEN                      {@link TokenValue}             none (until revoked)
 * token-index                       the last token added           none
 * acme/orders/HOST                  the ordering relay's id        order lease (TTL = relay TTL)
 * acme/http-01/HOST/TOKEN           HTTP-01 key authorization      order lease
 * acme/tls-alpn-01/HOST             challenge certificate+key PEM  order lease
 * acme/certs/HOST                   certificate chain+key PEM      none (replaced by renewals)
 * </pre>
 * NAME is {@code port/20001} or {@code host/app.example.net}; RELAY and SESSION are URL-encoded, so
 * neither holds a {@code /} and the last two segments of a member key are always relay and session.
 * HOST is a canonical host name and TOKEN an ACME token (base64url), neither with a {@code /}.
 */
final class EtcdKeys {
    static final String RELAYS = "relays/";
    static final String CLAIMS = "claims/";
    static final String MEMBERS = "members/";
    static final String TOKENS = "tokens/";
    static final String TOKEN_INDEX = "token-index";
    static final String ACME = "acme/";
    static final String ACME_ORDERS = ACME + "orders/";
    static final String ACME_HTTP = ACME + "http-01/";
    static final String ACME_ALPN = ACME + "tls-alpn-01/";
    static final String ACME_CERTS = ACME + "certs/";

    /** What a key under the prefix names; {@code null} fields do not apply to its kind. */
    record Parsed(Kind kind, String relayId, String name, String session) {
    }

    enum Kind { RELAY, CLAIM, MEMBER, OTHER }

    private final String prefix;

    EtcdKeys(String prefix) {
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    String relay(String relayId) {
        return prefix + RELAYS + encode(relayId);
    }

    String claim(String name) {
        return prefix + CLAIMS + name;
    }

    /** Every member key of {@code name} starts with this; the trailing {@code /} keeps port/2000 apart from port/20001. */
    String membersOf(String name) {
        return prefix + MEMBERS + name + "/";
    }

    String member(String name, String relayId, String session) {
        return membersOf(name) + encode(relayId) + "/" + encode(session);
    }

    /** Every token key starts with this. TOKEN (1-64 of A-Z a-z 0-9 . _ -) needs no encoding. */
    String tokens() {
        return prefix + TOKENS;
    }

    String token(String name) {
        return tokens() + name;
    }

    /** Rewritten by every {@code token add}, so that two adds never both pass their checks on one read. */
    String tokenIndex() {
        return prefix + TOKEN_INDEX;
    }

    /** The token a key under {@link #tokens()} names. */
    String tokenName(String key) {
        return key.substring(tokens().length());
    }

    /** Every ACME key starts with this. */
    String acme() {
        return prefix + ACME;
    }

    String acmeOrder(String host) {
        return prefix + ACME_ORDERS + host;
    }

    /** Every HTTP-01 answer for {@code host} starts with this. */
    String acmeHttpAnswers(String host) {
        return prefix + ACME_HTTP + host + "/";
    }

    String acmeHttpAnswer(String host, String token) {
        return acmeHttpAnswers(host) + token;
    }

    String acmeAlpnProof(String host) {
        return prefix + ACME_ALPN + host;
    }

    String acmeCertificate(String host) {
        return prefix + ACME_CERTS + host;
    }

    Parsed parse(String key) {
        if (!key.startsWith(prefix)) {
            return new Parsed(Kind.OTHER, null, null, null);
        }
        String rest = key.substring(prefix.length());
        if (rest.startsWith(RELAYS)) {
            return new Parsed(Kind.RELAY, decode(rest.substring(RELAYS.length())), null, null);
        }
        if (rest.startsWith(CLAIMS)) {
            return new Parsed(Kind.CLAIM, null, rest.substring(CLAIMS.length()), null);
        }
        if (rest.startsWith(MEMBERS)) {
            String path = rest.substring(MEMBERS.length());
            int sessionSlash = path.lastIndexOf('/');
            int relaySlash = sessionSlash <= 0 ? -1 : path.lastIndexOf('/', sessionSlash - 1);
            if (relaySlash > 0) {
                return new Parsed(Kind.MEMBER, decode(path.substring(relaySlash + 1, sessionSlash)), path.substring(0, relaySlash),
                        decode(path.substring(sessionSlash + 1)));
            }
        }
        return new Parsed(Kind.OTHER, null, null, null);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
