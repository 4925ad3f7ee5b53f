package dev.homeport.server.cli;

import dev.homeport.server.cluster.ClusterSettings;
import dev.homeport.server.cluster.PeerRoutes;
import dev.homeport.server.peer.PeerIdentity;
import dev.homeport.server.peer.PeerSecret;
import dev.homeport.server.peer.PeerSettings;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** This relay's place in a cluster: its id, and the peer link other relays forward public connections over (docs/cluster.md). */
final class PeerOptions {
    @Option(names = "--relay-id", paramLabel = "ID", defaultValue = "${env:HOMEPORT_RELAY_ID:-}",
            description = "This relay's id in the cluster, unique among its relays, e.g. 'vps-1' (env HOMEPORT_RELAY_ID).")
    String relayId;

    @Option(names = "--peer-address", paramLabel = "HOST:PORT", defaultValue = "${env:HOMEPORT_PEER_ADDRESS:-}",
            description = "Take peer links from the other relays of the cluster here, e.g. 10.0.0.1:7800; keep it on a private "
                    + "network, the link is not encrypted (env HOMEPORT_PEER_ADDRESS). Default: off (one relay alone).")
    String peerAddress;

    @Option(names = "--peer-secret-file", paramLabel = "FILE", defaultValue = "${env:HOMEPORT_PEER_SECRET_FILE}",
            description = "File whose first line is the cluster secret, the same on every relay, at least "
                    + PeerSecret.MIN_LENGTH + " characters (env HOMEPORT_PEER_SECRET_FILE).")
    Path secretFile;

    /** {@code routes}: where the names other relays serve are found (the cluster registry's watch). */
    ClusterSettings toSettings(PeerRoutes routes) {
        if (peerAddress == null || peerAddress.isBlank()) {
            if (secretFile != null || (relayId != null && !relayId.isBlank())) {
                throw new IllegalArgumentException("--relay-id and --peer-secret-file need --peer-address HOST:PORT");
            }
            return ClusterSettings.ALONE;
        }
        if (!PeerIdentity.isValidRelayId(relayId)) {
            throw new IllegalArgumentException("--peer-address needs --relay-id ID: 1 to 64 letters, digits, '.', '_' or '-', "
                    + "unique in the cluster");
        }
        if (secretFile == null) {
            throw new IllegalArgumentException("--peer-address needs --peer-secret-file FILE: the cluster secret that "
                    + "authenticates relays to each other");
        }
        try {
            return new ClusterSettings(relayId, HomeportServerCommand.parseHostPort(peerAddress, "--peer-address"), routes,
                    PeerSettings.withSecret(PeerSecret.read(secretFile)));
        } catch (IOException e) {
            throw new IllegalArgumentException("--peer-secret-file " + secretFile + ": cannot read it (" + e + ")", e);
        }
    }
}
