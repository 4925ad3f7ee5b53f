package dev.homeport.client;

import dev.homeport.client.memory.RememberedHosts;
import dev.homeport.client.memory.RememberedPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RememberedHostsTest {
    @TempDir
    Path dir;

    @Test
    void eachRelayAndTunnelKeepsItsOwnHostNameBesideThePortsFile() throws Exception {
        RememberedHosts a = RememberedHosts.in(dir, "relay.example.com:7700");
        assertThat(a.host("http", "jupyter")).isEmpty();
        a.remember("http", "jupyter", "k3v9x0q2mz.example.com");
        RememberedHosts.in(dir, "other.example.com:7700").remember("http", "jupyter", "b1.other.example.com");
        RememberedPorts.in(dir, "relay.example.com:7700").remember("tcp", "jupyter", 33949);

        RememberedHosts again = RememberedHosts.in(dir, "relay.example.com:7700");
        assertThat(again.host("http", "jupyter")).isEqualTo("k3v9x0q2mz.example.com");
        assertThat(again.host("tls", "jupyter")).isEmpty();
        assertThat(RememberedHosts.in(dir, "other.example.com:7700").host("http", "jupyter")).isEqualTo("b1.other.example.com");
        assertThat(Files.readString(dir.resolve("hosts"))).contains("relay.example.com:7700 http jupyter k3v9x0q2mz.example.com");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("hosts", "ports");
        }
    }

    @Test
    void aLineThatIsNoHostNameIsIgnored() throws Exception {
        Files.writeString(dir.resolve("hosts"), "garbage\nr:1 http x Bad_Name!\nr:1 http y -dash.example.com\nr:1 http z ok.example.com\n");
        RememberedHosts hosts = RememberedHosts.in(dir, "r:1");
        assertThat(hosts.host("http", "x")).isEmpty();
        assertThat(hosts.host("http", "y")).isEmpty();
        assertThat(hosts.host("http", "z")).isEqualTo("ok.example.com");
    }
}
