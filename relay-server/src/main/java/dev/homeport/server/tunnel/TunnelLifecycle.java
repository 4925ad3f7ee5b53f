package dev.homeport.server.tunnel;

/**
 * Hears when a tunnel comes into being and when it is gone for good. A client that reconnects
 * within the grace period keeps its tunnel, so neither is called for it. Called on a registry
 * thread; must not block.
 */
public interface TunnelLifecycle {
    TunnelLifecycle NONE = new TunnelLifecycle() {
        @Override
        public void bound(Tunnel tunnel) {
        }

        @Override
        public void released(Tunnel tunnel) {
        }
    };

    /** The tunnel was granted to a client for the first time. */
    void bound(Tunnel tunnel);

    /** The tunnel's grace period ran out, or the relay is stopping: its port or name is free. */
    void released(Tunnel tunnel);
}
