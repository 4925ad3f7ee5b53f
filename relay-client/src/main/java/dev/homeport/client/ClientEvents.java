package dev.homeport.client;

import java.time.Duration;

/** What a running client tells its user interface; called from the client's event loop. */
public interface ClientEvents {
    default void connected(String sessionId) {
    }

    /**
     * A tunnel is live at {@code publicAddress} ({@code tcp://HOST:PORT}, or an HTTP tunnel's URL such as
     * {@code http://jupyter.example.com}); {@code first} on its first binding or a changed address.
     */
    default void tunnelBound(TunnelSpec tunnel, String publicAddress, boolean first) {
    }

    default void disconnected(String reason, Duration retryIn) {
    }

    /** The client gave up: the relay refused the token or a tunnel. */
    default void fatal(String message) {
    }
}
