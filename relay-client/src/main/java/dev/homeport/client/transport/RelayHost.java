package dev.homeport.client.transport;

/**
 * One relay as the user named it in {@code --server}: a host name or address, and the control port.
 * TLS verifies this name, and the known-relays file records a certificate under it, whichever of the
 * name's addresses the connection goes to.
 */
public record RelayHost(String host, int port) {
    public RelayHost {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("a relay needs a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("server port must be 1-65535, got " + port);
        }
    }

    /** {@code HOST:PORT}, an IPv6 address in brackets: the key in the known-relays file. */
    public String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return hostPort();
    }
}
