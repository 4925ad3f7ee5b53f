package dev.homeport.server.cluster;

import java.util.Set;

/**
 * The names other relays of the cluster serve, held in memory (filled by the cluster registry's
 * watch) so that the public hot path never waits on the registry. On one relay with no cluster,
 * {@link #NONE}: nothing is served elsewhere.
 */
public interface PeerRoutes {
    PeerRoutes NONE = new PeerRoutes() {
        @Override
        public RemoteRoute forPort(int port) {
            return null;
        }

        @Override
        public RemoteRoute forHost(String host) {
            return null;
        }

        @Override
        public Set<Integer> ports() {
            return Set.of();
        }

        @Override
        public void onChange(Runnable listener) {
        }
    };

    /** The relay serving public TCP port {@code port}, or {@code null} if no other relay does. */
    RemoteRoute forPort(int port);

    /** The relay serving host name {@code host} (lower case, no port), or {@code null} if no other relay does. */
    RemoteRoute forHost(String host);

    /** Every public TCP port another relay serves: this relay listens on them too. */
    Set<Integer> ports();

    /** Calls {@code listener} after the routes change, on the registry's thread; it must not block. */
    void onChange(Runnable listener);
}
