package dev.homeport.server.cluster;

/**
 * How a cluster-wide claim of a name ended, by the rules of one relay (SameTokenClaim). The BIND
 * answer for each is given in brackets.
 */
public enum ClaimOutcome {
    /** The name was free, or its claim had lapsed [granted]. */
    WON(true),
    /** Held for the token during its grace with no client serving it: the first of the token to come back takes it [granted]. */
    RECLAIMED(true),
    /** The same client (Bind's instance) on a newer session, perhaps on another relay: it replaces its old session [granted]. */
    TOOK_OVER(true),
    /** Another member of the token's pool [granted]. */
    JOINED_POOL(true),
    /** Held by another token, or reserved for it during its grace [BIND_UNAVAILABLE]. */
    TAKEN(false),
    /** This very session already holds it [BIND_UNAVAILABLE]. */
    SAME_SESSION(false),
    /**
     * A newer session of the same client (same instance, higher connection number) serves it: this one is a session
     * the client already gave up, whose BIND came late [the session is ended: GO_AWAY SHUTDOWN].
     */
    SUPERSEDED(false),
    /** Served by another live client of the same token, and not both asked for a pool [BIND_HELD]. */
    HELD(false),
    /** The pool already has the most members allowed [BIND_DENIED]. */
    POOL_FULL(false),
    /** A pool member asked for other access rules or another kind than the pool's [BIND_DENIED]. */
    RULES_DIFFER(false);

    private final boolean won;

    ClaimOutcome(boolean won) {
        this.won = won;
    }

    /** Whether the caller's session serves the name now. */
    public boolean won() {
        return won;
    }
}
