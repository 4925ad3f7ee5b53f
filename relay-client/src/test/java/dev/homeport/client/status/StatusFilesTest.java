package dev.homeport.client.status;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Status files: written whole, read back, and only for clients that are alive and fresh. */
class StatusFilesTest {
    @TempDir
    Path dir;

    private static ClientStatus status(long pid) {
        return new ClientStatus(pid, "relay.example.com:7700", true, 3, 2048, 4096, 1536, 10, 12,
                List.of(new ClientStatus.Tunnel("jupyter", "tcp://relay.example.com:20000", "127.0.0.1:8888"),
                        new ClientStatus.Tunnel("web=1 #x", "", "127.0.0.1:3000")));
    }

    @Test
    void aStatusSurvivesItsFileForm() {
        ClientStatus s = status(42);
        assertThat(ClientStatus.decode(s.encode())).isEqualTo(s);
    }

    @Test
    void theLineShowsTunnelsStreamsRatesRoundTripAndTheRelayInUse() {
        assertThat(status(1).line())
                .isEqualTo("2 tunnels | 3 streams | in 1.5 KiB/s out 10 B/s | rtt 12 ms | connected to relay.example.com:7700");
    }

    @Test
    void aRunningClientIsFoundAndItsFileRemovedWhenItStops() throws Exception {
        StatusFiles files = new StatusFiles(dir);
        long me = ProcessHandle.current().pid();
        files.publish(status(me));
        assertThat(files.running()).containsExactly(status(me));
        files.withdraw(me);
        assertThat(files.running()).isEmpty();
    }

    @Test
    void theFileOfADeadProcessIsIgnoredAndRemoved() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        StatusFiles files = new StatusFiles(dir);
        files.publish(status(p.pid()));
        assertThat(files.running()).isEmpty();
        assertThat(files.directory().resolve(p.pid() + ".status")).doesNotExist();
    }

    @Test
    void aFileNotRewrittenLatelyIsIgnored() throws Exception {
        StatusFiles files = new StatusFiles(dir);
        long me = ProcessHandle.current().pid();
        files.publish(status(me));
        Files.setLastModifiedTime(files.directory().resolve(me + ".status"),
                FileTime.from(Instant.now().minus(StatusFiles.STALE_AFTER).minusSeconds(1)));
        assertThat(files.running()).isEmpty();
    }
}
