package dev.homeport.server.auth;

import java.util.Collection;

/** Which token reserves a port or a host name, looked up in a directory's entries (tokens file or etcd). */
public final class Reservations {
    private Reservations() {
    }

    /** @return the name of the token whose reserved port is {@code port}, or {@code null} (never for port 0) */
    public static String ofPort(Collection<TokenFile.Entry> entries, int port) {
        for (TokenFile.Entry e : entries) {
            if (port != 0 && e.rights().reservedPort() == port) {
                return e.name();
            }
        }
        return null;
    }

    /** @return the name of the token whose reserved host is {@code host} (canonical), or {@code null} (never for "") */
    public static String ofHost(Collection<TokenFile.Entry> entries, String host) {
        for (TokenFile.Entry e : entries) {
            if (!host.isEmpty() && e.rights().reservedHost().equals(host)) {
                return e.name();
            }
        }
        return null;
    }
}
