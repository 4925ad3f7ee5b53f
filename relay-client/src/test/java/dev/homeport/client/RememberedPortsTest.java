package dev.homeport.client;

import dev.homeport.client.memory.RememberedPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RememberedPortsTest {
    @TempDir
    Path dir;

    @Test
    void eachRelayAndTunnelKeepsItsOwnPortAcrossInstances() throws Exception {
        RememberedPorts a = RememberedPorts.in(dir, "relay.example.com:7000");
        RememberedPorts b = RememberedPorts.in(dir, "other.example.com:7000");
        assertThat(a.port("tcp", "jupyter")).isZero();
        a.remember("tcp", "jupyter", 33949);
        a.remember("tcp", "ssh", 33950);
        b.remember("tcp", "jupyter", 20001);
        a.remember("tcp", "jupyter", 33951);

        RememberedPorts again = RememberedPorts.in(dir, "relay.example.com:7000");
        assertThat(again.port("tcp", "jupyter")).isEqualTo(33951);
        assertThat(again.port("tcp", "ssh")).isEqualTo(33950);
        assertThat(again.port("tls", "jupyter")).isZero();
        assertThat(RememberedPorts.in(dir, "other.example.com:7000").port("tcp", "jupyter")).isEqualTo(20001);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("ports"); // no temporary file left
        }
    }

    @Test
    void unreadableLinesAreIgnoredAndTheRestKept() throws Exception {
        Files.writeString(dir.resolve("ports"), "garbage\nr:1 tcp x notaport\nr:1 tcp y 70000\nr:1 tcp z 20003\n");
        RememberedPorts ports = RememberedPorts.in(dir, "r:1");
        assertThat(ports.port("tcp", "x")).isZero();
        assertThat(ports.port("tcp", "y")).isZero();
        assertThat(ports.port("tcp", "z")).isEqualTo(20003);
        ports.remember("tcp", "x", 20004);
        assertThat(RememberedPorts.in(dir, "r:1").port("tcp", "z")).isEqualTo(20003);
        assertThat(RememberedPorts.in(dir, "r:1").port("tcp", "x")).isEqualTo(20004);
    }
}
