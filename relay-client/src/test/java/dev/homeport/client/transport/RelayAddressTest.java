package dev.homeport.client.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayAddressTest {
    @Test
    void hostAndPortMeansTls() {
        RelayAddress a = RelayAddress.parse("relay.example.com:7700");
        assertThat(a).isEqualTo(new RelayAddress("tls", "relay.example.com", 7700, null));
        assertThat(a.plaintext()).isFalse();
        assertThat(a.hostPort()).isEqualTo("relay.example.com:7700");
    }

    @Test
    void webSocketAddressesGetDefaultPortsAndPath() {
        assertThat(RelayAddress.parse("wss://relay.example.com")).isEqualTo(new RelayAddress("wss", "relay.example.com", 443, "/_homeport"));
        assertThat(RelayAddress.parse("wss://relay.example.com:8443/tunnel")).isEqualTo(new RelayAddress("wss", "relay.example.com", 8443, "/tunnel"));
        assertThat(RelayAddress.parse("ws://[::1]:80/")).isEqualTo(new RelayAddress("ws", "::1", 80, "/_homeport"));
        assertThat(RelayAddress.parse("ws://h/x").plaintext()).isTrue();
    }

    @Test
    void plaintextIsOnlyWhatTheSchemeSays() {
        assertThat(RelayAddress.parse("tcp://127.0.0.1:7700").plaintext()).isTrue();
        assertThat(RelayAddress.parse("tls://127.0.0.1:7700").plaintext()).isFalse();
    }

    @Test
    void badAddressesSayWhatIsExpected() {
        assertThatThrownBy(() -> RelayAddress.parse("relay.example.com")).hasMessageContaining("needs a port");
        assertThatThrownBy(() -> RelayAddress.parse("http://relay:80")).hasMessageContaining("scheme must be tls, tcp, wss or ws");
        assertThatThrownBy(() -> RelayAddress.parse("tls://relay:80/path")).hasMessageContaining("takes no path");
        assertThatThrownBy(() -> RelayAddress.parse("")).hasMessageContaining("--server is required");
    }

    @Test
    void knownRelaysRemembersOneFingerprintPerRelayWithItsLine(@TempDir Path dir) {
        KnownRelays known = new KnownRelays(dir.resolve("sub").resolve("known_relays"));
        assertThat(known.find("a:1")).isNull();
        known.add("a:1", "SHA256:aaa");
        known.add("b:2", "SHA256:bbb");
        assertThat(known.find("b:2")).isEqualTo(new KnownRelays.Entry("SHA256:bbb", 2));
        assertThat(known.find("a:1").fingerprint()).isEqualTo("SHA256:aaa");
    }
}
