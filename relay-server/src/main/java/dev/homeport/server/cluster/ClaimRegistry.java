package dev.homeport.server.cluster;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Where a clustered relay claims its public names (TCP ports, host names) so that exactly one
 * session of one token holds a name cluster-wide. Implementations keep their client library (etcd's
 * jetcd, gRPC) behind this interface: the relay core sees only these types.
 */
public interface ClaimRegistry extends AutoCloseable {

    /** Who holds a claim: the token's name (never its secret), its session and the relay the session is attached to. */
    record Owner(String principal, String session, String relayId) {
    }

    /**
     * The outcome of {@link #claim}: {@code won} when the caller holds the name now (new or re-claimed
     * by the same token and session), otherwise {@code holder} says who does.
     */
    record Claim(boolean won, Owner holder) {
    }

    /** The registry's health as reported by {@code /health}: {@code stale} once this relay's lease may have lapsed. */
    enum Health { OK, STALE }

    /**
     * Registers this relay ({@code relayId}, its peer-link address) under a lease of about
     * {@code ttl} that the registry keeps alive until {@link #close}.
     */
    void registerRelay(String relayId, InetSocketAddress peerAddress, Duration ttl) throws Exception;

    /**
     * Claims {@code name} (for example {@code port/20001} or {@code host/app.example.net}) for
     * {@code owner} in one transaction, under a per-session lease of {@code grace} (the reconnect
     * grace): it succeeds when the name is free or already held by the same token and session.
     */
    Claim claim(String name, Owner owner, Duration grace) throws Exception;

    /** Gives up {@code name} if {@code owner} holds it; a name held by someone else is left alone. */
    void release(String name, Owner owner) throws Exception;

    Health health();

    @Override
    void close();
}
