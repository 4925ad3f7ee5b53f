package dev.homeport.client.session;

import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxSession;

/** What the client's connection tells the reconnecting {@code RelayClient} about its session. */
public interface SessionObserver {
    void established(MuxSession session);

    /** The handshake failed; {@code code} says whether retrying can help. */
    void rejected(ErrorCode code, String message);

    /** The connection failed below the session (proxy, TLS, WebSocket); {@code fatal} when retrying cannot help. */
    void transportFailed(String message, boolean fatal);

    int preferredPort(TunnelSpec tunnel);

    /** The host name to ask for: the one the user gave, else the one the relay gave last time, else empty (any). */
    String preferredHost(TunnelSpec tunnel);

    /** This client's instance, the same in every session it opens, so the relay knows it when it comes back. */
    long instance();

    /** Which of this client's sessions the current one is (1 for the first, one more for each after), sent in its BINDs. */
    long connection();

    void bound(TunnelSpec tunnel, int port, String publicHost);

    void refused(TunnelSpec tunnel, ErrorCode code, String message);
}
