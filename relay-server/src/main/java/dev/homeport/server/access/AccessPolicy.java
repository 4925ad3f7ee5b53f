package dev.homeport.server.access;

import dev.homeport.protocol.message.Bind;

import java.net.InetAddress;

/**
 * A tunnel's rules for its public side, as its client asked in BIND (PROTOCOL.md, "Public access"):
 * redirect plain HTTP to HTTPS, demand basic-auth credentials, admit only some addresses.
 *
 * @param httpsOnly  plain-HTTP requests are redirected to HTTPS when the relay serves the name over HTTPS
 * @param basicAuth  the credentials every request must carry, or {@code null} for none
 * @param allowFrom  the public addresses admitted; empty admits everyone
 */
public record AccessPolicy(boolean httpsOnly, BasicCredentials basicAuth, AddressRanges allowFrom) {
    public static final AccessPolicy OPEN = new AccessPolicy(false, null, AddressRanges.NONE);

    public AccessPolicy {
        allowFrom = allowFrom == null ? AddressRanges.NONE : allowFrom;
    }

    /** The rules a BIND asks for; throws with a message for the client when they are malformed or do not fit its kind. */
    public static AccessPolicy of(Bind bind) {
        BasicCredentials credentials = null;
        if (!bind.basicAuth().isEmpty()) {
            if (bind.kind() != Bind.KIND_HTTP) {
                throw new IllegalArgumentException("basic auth needs an HTTP tunnel: the relay cannot read inside TCP or TLS");
            }
            credentials = BasicCredentials.parse(bind.basicAuth());
        }
        return new AccessPolicy(bind.httpsOnly(), credentials, AddressRanges.parse(bind.allowFrom(), "allow list"));
    }

    /** Whether the public address {@code address} may use the tunnel. */
    public boolean admits(InetAddress address) {
        return allowFrom.isEmpty() || allowFrom.contains(address);
    }

    /** Whether {@code other} asks for the same rules: members of one pool must (a pool has one set of rules). */
    public boolean sameRules(AccessPolicy other) {
        boolean sameAuth = basicAuth == null ? other.basicAuth == null : basicAuth.sameAs(other.basicAuth);
        return httpsOnly == other.httpsOnly && sameAuth && allowFrom.toString().equals(other.allowFrom.toString());
    }

    @Override
    public String toString() {
        return "https_only=" + httpsOnly + " basic_auth=" + (basicAuth == null ? "-" : basicAuth) + " allow=" + allowFrom;
    }
}
