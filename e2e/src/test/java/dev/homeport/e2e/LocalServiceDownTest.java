package dev.homeport.e2e;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** With nothing listening behind the tunnel, public connections end at once; the tunnel works as soon as the service is back. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LocalServiceDownTest {
    private static final Duration PROMPTLY = Duration.ofSeconds(3);

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @AcrossTransports
    void publicConnectionIsClosedPromptlyWhileTheLocalServiceIsDownAndServedOnceItIsUp(Transport transport) throws Exception {
        int localPort = FreePorts.one();
        RelayHarness h = teardown.add(RelayHarness.over(transport).start(localPort));

        for (int attempt = 0; attempt < 3; attempt++) {
            assertEndsWithoutData(h);
        }
        h.awaitAllStreamsClosed(Duration.ofSeconds(5));

        teardown.add(LocalService.echo(localPort));
        assertThat(h.request(h.publicPort(), "back up")).isEqualTo("back up");
        h.awaitAllStreamsClosed(Duration.ofSeconds(5));
    }

    /**
     * End of stream or a reset within {@link #PROMPTLY}, whether it shows while connecting, writing or
     * reading (the relay can refuse faster than this side finishes connecting); a read timeout means
     * the connection was left hanging.
     */
    private static void assertEndsWithoutData(RelayHarness h) throws IOException {
        try (Socket pub = h.connect()) {
            pub.setSoTimeout((int) PROMPTLY.toMillis());
            pub.getOutputStream().write("anyone there?".getBytes(StandardCharsets.UTF_8));
            assertThat(pub.getInputStream().read()).isEqualTo(-1);
        } catch (SocketTimeoutException hanging) {
            fail("public connection still open " + PROMPTLY.toMillis() + " ms after the local service refused it");
        } catch (SocketException reset) {
            assertThat(reset.getMessage()).containsAnyOf("reset", "Broken pipe");
        }
    }
}
