package dev.homeport.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The processes the e2e tests start track every buffer and fail the test on a leak, as the tests' own JVM
 * does ({@link CliProcess}, {@link LeakReportingMain}): a leak just before the exit fails, a relay and a
 * client that carried traffic and stopped do not.
 */
class ChildProcessLeakCheckTest {
    private static final int ONE_MIB = 1024 * 1024;

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    // The child logs two LEAK reports on purpose; the check must catch both.
    @Test
    void aProcessThatDropsBuffersJustBeforeItExitsFailsItsCloseQuotingBothReports() throws Exception {
        CliProcess leaking = CliProcess.testMain(dir, LeakingMain.class);
        leaking.awaitStdout(1, "leaked"::equals, CliProcess.START_TIMEOUT);

        AssertionError failure = assertThrows(AssertionError.class, leaking::close);

        assertThat(failure.getMessage())
                .startsWith("2 Netty leak report(s) in the output of LeakingMain")
                .contains("LEAK: ByteBuf.release() was not called")
                .contains(LeakingMain.IN_MAIN)
                .contains(LeakingMain.IN_SHUTDOWN_HOOK);
    }

    @Test
    void aRelayAndAClientThatCarriedAMebibyteEachWayStopWithoutALeakReport() throws Exception {
        int base = FreePorts.block(3);
        CliProcess relay = teardown.add(CliProcess.server(dir, "--control", "127.0.0.1:" + base, "--ports",
                (base + 1) + "-" + (base + 2), "--bind-address", "127.0.0.1", "--token", RelayHarness.TOKEN,
                "--insecure-plaintext", "--shutdown-grace", "1s", "--state-dir", dir.resolve("relay").toString()));
        relay.awaitStdout(1, l -> l.startsWith("homeport relay listening"), CliProcess.START_TIMEOUT);
        LocalService echo = teardown.add(LocalService.echo(0));
        CliProcess client = teardown.add(CliProcess.homeport(dir, "tcp", Integer.toString(echo.port()),
                "--server", "tcp://127.0.0.1:" + base, "--token", RelayHarness.TOKEN, "--insecure-plaintext",
                "--state-dir", dir.resolve("client").toString()));
        int publicPort = URI.create(client.awaitStdout(1, l -> l.startsWith("tcp://"), CliProcess.START_TIMEOUT).get(0)).getPort();

        byte[] sent = new byte[ONE_MIB];
        Arrays.fill(sent, (byte) 'h');
        try (Socket s = new Socket()) {
            s.setSoTimeout(30_000);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), publicPort), 5_000);
            InputStream in = s.getInputStream();
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    return in.readAllBytes();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            s.getOutputStream().write(sent);
            s.shutdownOutput();
            assertThat(echoed.join()).isEqualTo(sent);
        }

        assertDoesNotThrow(client::close);
        assertDoesNotThrow(relay::close);
    }
}
