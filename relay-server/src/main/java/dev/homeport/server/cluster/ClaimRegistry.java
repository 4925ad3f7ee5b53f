package dev.homeport.server.cluster;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Where a clustered relay claims its public names (TCP ports, host names) so that exactly one
 * client (or one pool of clients) of one token holds a name cluster-wide, by the same rules one
 * relay applies alone (SameTokenClaim). Implementations keep their client library (etcd's jetcd,
 * gRPC) behind this interface: the relay core sees only these types. Every call blocks for at most
 * the registry's call timeout ({@link RegistryOptions#callTimeout()}), so call it off the event loop.
 */
public interface ClaimRegistry extends AutoCloseable {

    /** Who holds a claim: the token's name (never its secret), its session and the relay the session is attached to. */
    record Owner(String principal, String session, String relayId) {
    }

    /**
     * The outcome of {@link #claim}: {@code holder} is the caller when it won, otherwise who holds the
     * name; {@code reason} is the refusal to send the client (empty when won).
     */
    record Claim(ClaimOutcome outcome, Owner holder, String reason) {
        public boolean won() {
            return outcome.won();
        }
    }

    /** The registry's health as reported by {@code /health}: {@code stale} once this relay's lease may have lapsed. */
    enum Health { OK, STALE }

    /**
     * Registers this relay ({@code relayId}, its peer-link address) under a lease of about
     * {@code ttl} that the registry keeps alive until {@link #close}, and starts filling {@link #routes()}.
     */
    void registerRelay(String relayId, InetSocketAddress peerAddress, Duration ttl) throws RegistryUnavailableException;

    /**
     * Claims {@code request.name()} for {@code request.owner()} in one transaction; a name is held for
     * its token for {@code request.grace()} after its last client is gone.
     */
    Claim claim(ClaimRequest request) throws RegistryUnavailableException;

    /**
     * {@code owner}'s session no longer serves {@code name} (it ended, or the tunnel was closed);
     * when no client serves it any more the name is kept for its token for the grace. A name held by
     * someone else is left alone.
     */
    void release(String name, Owner owner) throws RegistryUnavailableException;

    /** Adds a listener told when one of this relay's sessions loses a name it did not release. */
    void onLoss(ClaimLossListener listener);

    /** The names other relays serve, kept up to date by a watch once {@link #registerRelay} returned. */
    PeerRoutes routes();

    Health health();

    /** How long ago the registry last confirmed this relay's registration ({@code homeport.registry.lease.age}). */
    Duration sinceRenewal();

    /** Leaves the cluster at once: this relay's sessions stop serving; their names stay held for their tokens for the grace. */
    @Override
    void close();
}
