package dev.homeport.client;

import dev.homeport.client.transport.RelayHost;

import java.net.InetSocketAddress;

/**
 * One relay the client may connect to: the name TLS checks ({@code relay}) and the socket address it
 * dials, which is one of the name's addresses, or the name unresolved when a proxy resolves it or it
 * did not resolve (the connect then says why).
 *
 * @param oneOfSeveral the name has several addresses, each a relay of its own, so the address is part of its label
 */
record RelayCandidate(RelayHost relay, InetSocketAddress address, boolean oneOfSeveral) {
    /** How logs and the status line name it: {@code B:7700}, or {@code relay.example.com:7700 (192.0.2.7)}. */
    String label() {
        return oneOfSeveral && !address.isUnresolved()
                ? relay.hostPort() + " (" + address.getAddress().getHostAddress() + ")"
                : relay.hostPort();
    }
}
