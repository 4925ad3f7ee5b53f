package dev.homeport.e2e;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.BindOk;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.AnyOfTokens;
import dev.homeport.server.auth.FileTokenDirectory;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.auth.TokenFile;
import dev.homeport.server.auth.TokenRights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code --token} holder and the tokens file side by side (README: both may be given): the holder's
 * name inside the relay, {@code default}, cannot be taken by a file token, neither by {@code token add}
 * nor by a file that already has such a line, so a file token never gets the holder's rights, its live
 * names, or ends its session when revoked.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TokenIdentityTest {
    private static final String OPERATOR_TOKEN = "the-operators-own-token";

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @TempDir
    Path dir;

    @Test
    void tokenAddRefusesTheNameOfTheTokenHolderWithAClearMessage() throws Exception {
        Path tokens = dir.resolve("tokens");
        CliProcess add = teardown.add(CliProcess.server(dir, "token", "add", SingleToken.PRINCIPAL, "--tokens", tokens.toString()));

        assertThat(add.exitCode()).as(add.describe()).isEqualTo(2);
        assertThat(String.join("\n", add.stderr()))
                .contains("token name 'default' is reserved for the --token holder; choose another name");
        assertThat(add.stdout()).as("no token printed").isEmpty();
        assertThat(Files.exists(tokens) ? Files.readString(tokens) : "").doesNotContain(SingleToken.PRINCIPAL);
    }

    @Test
    void aFileTokenNamedDefaultIsIgnoredSoItNeitherActsAsTheOperatorNorEndsTheOperatorsSessionWhenRevoked() throws Exception {
        int base = FreePorts.block(4);
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        String bob = file.add("bob", new TokenRights(new PortRange(base + 2, base + 2), List.of()));
        // As an older relay's 'token add default' wrote it, with rights narrower than the operator's.
        String impostor = "hp_a-file-token-that-took-the-reserved-name";
        Files.writeString(file.path(), Files.readString(file.path()) + SingleToken.PRINCIPAL + " "
                + HexFormat.of().formatHex(TokenKey.fromToken("x", impostor).keyHash()) + " ports=" + (base + 2) + "-" + (base + 2)
                + " hosts=- created=2026-01-01T00:00:00Z\n");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger directoryLog = (Logger) LoggerFactory.getLogger(FileTokenDirectory.class);
        directoryLog.addAppender(logged);
        teardown.add(() -> directoryLog.detachAppender(logged));
        FileTokenDirectory fromFile = new FileTokenDirectory(file);
        teardown.add(fromFile);
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).anyMatch(m -> m.startsWith("event=token_ignored")
                && m.contains("name=default") && m.contains("reserved for the --token holder"));
        RelayServer relay = teardown.add(RelayServer.start(Transport.TLS.relay(RelayServerConfig.of(
                        new InetSocketAddress("127.0.0.1", base), "127.0.0.1", new PortRange(base + 1, base + 3),
                        new AnyOfTokens(List.of(new SingleToken(OPERATOR_TOKEN), fromFile))))
                .withShutdownGrace(Duration.ZERO)));

        RawSession operator = teardown.add(RawSession.openTls(relay.controlAddress(), OPERATOR_TOKEN, 1 << 20));
        operator.sendBind(new Bind(1, Bind.KIND_TCP, base + 1, "operators"));
        assertThat(BindOk.decode(operator.awaitBindAnswer().payload()).port()).isEqualTo(base + 1);

        assertThatThrownBy(() -> RawSession.openTls(relay.controlAddress(), impostor, 1 << 20))
                .as("the file's 'default' line is not a token").isInstanceOf(IOException.class)
                .hasMessageContaining("GO_AWAY " + ErrorCode.AUTH_FAILED);
        try (RawSession other = RawSession.openTls(relay.controlAddress(), bob, 1 << 20)) {
            other.sendBind(new Bind(1, Bind.KIND_TCP, base + 2, "bobs"));
            assertThat(other.awaitBindAnswer().type()).as("the file's other tokens still work").isEqualTo(FrameType.BIND_OK);
        }

        assertThat(file.revoke(SingleToken.PRINCIPAL)).isTrue();
        Thread.sleep(3 * FileTokenDirectory.POLL_MILLIS); // the relay re-reads the file within one poll
        assertThat(relay.sessions()).as("the operator's session outlives the revocation of the file's 'default'").hasSize(1);
        operator.sendBind(new Bind(2, Bind.KIND_TCP, 0, "still here"));
        assertThat(operator.awaitBindAnswer().type()).isEqualTo(FrameType.BIND_OK);
    }
}
