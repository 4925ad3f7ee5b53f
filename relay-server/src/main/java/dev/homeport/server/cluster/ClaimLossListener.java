package dev.homeport.server.cluster;

/**
 * Told when a session of this relay no longer holds a name it won, without having released it: the
 * same client took it over on a new session (perhaps through another relay), or its claim lapsed
 * because no relay could renew it for a whole grace (etcd unreachable). The relay then stops serving
 * the name on that session. Called on the registry's thread: hand the work to another thread, never block.
 * May be called for a session the relay has already replaced itself (same-relay take-over): ignore those.
 */
@FunctionalInterface
public interface ClaimLossListener {
    /**
     * @param name    the name, as in {@link ClaimRequest#name()}
     * @param session the session of this relay that lost it
     * @param why     a log-ready reason
     */
    void lost(String name, String session, String why);
}
