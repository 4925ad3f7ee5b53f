package dev.homeport.server.peer;

import java.util.regex.Pattern;

/**
 * How a dialing relay names itself on a peer link: HELLO's agent string carries its relay id, which
 * the cluster secret vouches for (only a relay holding the secret completes the handshake).
 */
public final class PeerIdentity {
    private static final String AGENT_PREFIX = "homeport-peer/";
    /** What {@code --relay-id} accepts: safe in logs, metrics and registry keys as it is. */
    private static final Pattern RELAY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private PeerIdentity() {
    }

    /** Whether {@code id} may name a relay ({@code --relay-id}): 1 to 64 letters, digits, '.', '_' or '-'. */
    public static boolean isValidRelayId(String id) {
        return id != null && RELAY_ID.matcher(id).matches();
    }

    static String agent(String relayId) {
        return AGENT_PREFIX + relayId;
    }

    /** The relay id in a peer's agent string, or {@code null} when the agent is not a relay's. */
    static String relayIdOf(String agent) {
        if (agent == null || !agent.startsWith(AGENT_PREFIX)) {
            return null;
        }
        String id = agent.substring(AGENT_PREFIX.length());
        return isValidRelayId(id) ? id : null;
    }

    /** The principal logs show for a peer relay. */
    static String principal(String relayId) {
        return "peer:" + relayId;
    }
}
