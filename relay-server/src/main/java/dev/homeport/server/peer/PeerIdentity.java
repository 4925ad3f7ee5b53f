package dev.homeport.server.peer;

/**
 * How a dialing relay names itself on a peer link: HELLO's agent string carries its relay id, which
 * the cluster secret vouches for (only a relay holding the secret completes the handshake).
 */
final class PeerIdentity {
    private static final String AGENT_PREFIX = "homeport-peer/";

    private PeerIdentity() {
    }

    static String agent(String relayId) {
        return AGENT_PREFIX + relayId;
    }

    /** The relay id in a peer's agent string, or {@code null} when the agent is not a relay's. */
    static String relayIdOf(String agent) {
        return agent != null && agent.startsWith(AGENT_PREFIX) && agent.length() > AGENT_PREFIX.length()
                ? agent.substring(AGENT_PREFIX.length()) : null;
    }

    /** The principal logs show for a peer relay. */
    static String principal(String relayId) {
        return "peer:" + relayId;
    }
}
