package dev.homeport.server.cluster;

import dev.homeport.server.access.AccessPolicy;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * One BIND's claim of a public name, as the cluster registry needs it.
 *
 * @param name           {@code port/20001} or {@code host/app.example.net} (lower case)
 * @param owner          the claiming token, session and relay
 * @param instance       Bind's {@code instance} (0: the client names none, it never takes over another session)
 * @param connection     Bind's {@code connection}: the session's number among its client's sessions (0: not told), so
 *                       that an older session of the client never takes the name over from a newer one
 * @param pool           the client asked to share the name with its token's other pool clients
 * @param kind           {@code tcp}, {@code http} or {@code tls}, as other relays route it
 * @param access         the public access rules other relays apply before forwarding
 * @param grace          how long the name stays held for the token after its last client is gone
 * @param maxPoolMembers the most clients a pool may have cluster-wide ({@code --max-pool-members})
 */
public record ClaimRequest(String name, ClaimRegistry.Owner owner, long instance, long connection, boolean pool, String kind,
                           AccessPolicy access, Duration grace, int maxPoolMembers) {
    /** A claim from a client that does not number its sessions. */
    public ClaimRequest(String name, ClaimRegistry.Owner owner, long instance, boolean pool, String kind, AccessPolicy access,
                        Duration grace, int maxPoolMembers) {
        this(name, owner, instance, 0, pool, kind, access, grace, maxPoolMembers);
    }

    public ClaimRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(kind, "kind");
        access = access == null ? AccessPolicy.OPEN : access;
        if (grace == null || grace.isNegative() || grace.isZero()) {
            throw new IllegalArgumentException("the grace of a claim must be positive, got " + grace);
        }
        if (maxPoolMembers < 1) {
            throw new IllegalArgumentException("maxPoolMembers must be at least 1, got " + maxPoolMembers);
        }
    }

    /**
     * Whether a session of a client numbered {@code claiming} may take a name over from the same client's session
     * numbered {@code serving} (Bind's {@code connection}): only a newer one may. A 0 on either side (a client or a
     * relay of a release before the number) orders nothing, and the takeover is allowed as it was then. One relay
     * alone (SameTokenClaim) and the cluster (ClaimRules) apply this same rule.
     */
    public static boolean newerSession(long claiming, long serving) {
        return claiming == 0 || serving == 0 || claiming > serving;
    }

    /** A name for a public TCP port. */
    public static String portName(int port) {
        return "port/" + port;
    }

    /** A name for a host name (HTTP Host or TLS SNI). */
    public static String hostName(String host) {
        return "host/" + host.toLowerCase(Locale.ROOT);
    }
}
