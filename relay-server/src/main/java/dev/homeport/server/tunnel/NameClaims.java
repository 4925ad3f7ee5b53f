package dev.homeport.server.tunnel;

import dev.homeport.server.access.AccessPolicy;

/**
 * The cluster-wide half of a BIND: before a registry grants a port or host name, the name is
 * claimed here too, so that exactly one client (or one pool) of one token serves it on every relay.
 * {@link #ALONE} on a single relay: the local registry decides alone. Called on the registry's
 * thread, which it may block for the cluster registry's call timeout.
 */
public interface NameClaims {
    NameClaims ALONE = new NameClaims() {
        @Override
        public BindOutcome claim(String name, Claimant who, String principal, String kind, AccessPolicy access) {
            return null;
        }

        @Override
        public void release(String name, Claimant who, String principal) {
        }
    };

    /**
     * Claims {@code name} ({@code port/N} or {@code host/NAME}) for {@code who} of token {@code principal}.
     *
     * @return {@code null} when the cluster grants it, else the refusal to send the client
     */
    BindOutcome claim(String name, Claimant who, String principal, String kind, AccessPolicy access);

    /** {@code who} no longer serves {@code name}; the cluster keeps it for its token for the grace. */
    void release(String name, Claimant who, String principal);
}
