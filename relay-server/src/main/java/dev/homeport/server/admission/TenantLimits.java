package dev.homeport.server.admission;

/**
 * What one token and one session of it may hold at once on the relay, so that one tenant (even one
 * with a wildcard host right) cannot fill the relay's memory, log or metrics for the others.
 *
 * @param maxSessionsPerToken  live sessions of one token; one more is ended with GO_AWAY SESSION_LIMIT
 * @param maxTunnelsPerSession tunnels (ports and host names together) one session may be granted
 * @param maxTunnelsPerToken   tunnels one token holds at once, live or reserved for its reconnect, over
 *                             all its sessions; bounds the per-tunnel series /metrics shows
 * @param maxPoolMembers       live clients that serve one port or host name together ({@code --pool}); one
 *                             more is refused. A pool is one tunnel of its token, however many members it has
 */
public record TenantLimits(int maxSessionsPerToken, int maxTunnelsPerSession, int maxTunnelsPerToken, int maxPoolMembers) {
    public static final int DEFAULT_MAX_SESSIONS_PER_TOKEN = 32;
    public static final int DEFAULT_MAX_TUNNELS_PER_SESSION = 64;
    public static final int DEFAULT_MAX_TUNNELS_PER_TOKEN = 256;
    public static final int DEFAULT_MAX_POOL_MEMBERS = 8;
    public static final TenantLimits DEFAULTS = new TenantLimits(DEFAULT_MAX_SESSIONS_PER_TOKEN,
            DEFAULT_MAX_TUNNELS_PER_SESSION, DEFAULT_MAX_TUNNELS_PER_TOKEN, DEFAULT_MAX_POOL_MEMBERS);

    public TenantLimits {
        require(maxSessionsPerToken, "maxSessionsPerToken (--max-sessions-per-token)");
        require(maxTunnelsPerSession, "maxTunnelsPerSession (--max-tunnels-per-session)");
        require(maxTunnelsPerToken, "maxTunnelsPerToken (--max-tunnels-per-token)");
        require(maxPoolMembers, "maxPoolMembers (--max-pool-members)");
    }

    /** The limits with the default number of pool members. */
    public TenantLimits(int maxSessionsPerToken, int maxTunnelsPerSession, int maxTunnelsPerToken) {
        this(maxSessionsPerToken, maxTunnelsPerSession, maxTunnelsPerToken, DEFAULT_MAX_POOL_MEMBERS);
    }

    private static void require(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }
}
