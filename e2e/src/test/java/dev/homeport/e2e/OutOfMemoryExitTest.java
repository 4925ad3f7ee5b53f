package dev.homeport.e2e;

import dev.homeport.client.Backoff;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A relay whose direct memory runs out does not run on half alive: it logs {@code event=out_of_memory}
 * and exits with code 3, for its supervisor (systemd's Restart=on-failure) to start it again. The
 * shortage is made real by starting {@code homeport-server} with a direct-memory limit smaller than
 * one buffer chunk of Netty's allocator, and a tenant that sends data through it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OutOfMemoryExitTest {
    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    @Test
    void aRelayOutOfDirectMemoryLogsItAndExitsForItsSupervisorToRestartIt() throws Exception {
        int base = FreePorts.block(3);
        CliProcess relay = teardown.add(CliProcess.server(dir, List.of("-XX:MaxDirectMemorySize=3m", "-Dio.netty.maxDirectMemory=3145728"),
                "--control", "127.0.0.1:" + base, "--ports", (base + 1) + "-" + (base + 2), "--bind-address", "127.0.0.1",
                "--token", RelayHarness.TOKEN, "--cert", Transport.certificate().certificateFile().toString(),
                "--key", Transport.certificate().keyFile().toString(), "--admin", "", "--state-dir", dir.resolve("state").toString()));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);

        LocalService echo = teardown.add(LocalService.echo(0));
        RelayClient tenant = RelayClient.start(Transport.TLS.client(RelayClientConfig.of("127.0.0.1", base, RelayHarness.TOKEN,
                        List.of(new TunnelSpec("tenant", "127.0.0.1", echo.port(), 0)))
                .withBackoff(new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)))), new ClientLog());
        teardown.add(tenant::close);
        try {
            int port = URI.create(tenant.bound().get(30, TimeUnit.SECONDS).get("tenant")).getPort();
            try (Socket s = new Socket("127.0.0.1", port)) {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < 64; i++) {
                    out.write(new byte[64 * 1024]);
                }
            }
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException relayGone) {
            // The relay may run out before the tunnel is bound, or mid-transfer: either way it must exit.
        }
        assertThat(relay.exitCode()).as("exit code; " + relay.describe()).isEqualTo(3);
        assertThat(relay.stderr()).anyMatch(l -> l.contains("event=out_of_memory") && l.contains("action=exit"));
        relay.stderr().stream().filter(l -> l.contains("event=out_of_memory")).forEach(l -> System.out.println("event=measured " + l));
    }
}
