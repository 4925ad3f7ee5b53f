package dev.homeport.server.auth;

import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.server.PortRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenFileTest {
    @TempDir
    Path dir;

    @Test
    void theFileHoldsKeyHashesAndRightsButNeverTheToken() throws Exception {
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        String token = file.add("ipad", new TokenRights(new PortRange(20000, 20010), List.of("Jupyter.Example.com", "*.lab.example.com")));

        String text = Files.readString(file.path());
        assertThat(token).startsWith("hp_").hasSizeGreaterThan(40);
        assertThat(text).doesNotContain(token).doesNotContain(token.substring(3));
        TokenFile.Entry entry = file.read().get("ipad");
        assertThat(entry.key()).isEqualTo(TokenKey.fromToken("ipad", token));
        assertThat(entry.rights().allowsPort(20010)).isTrue();
        assertThat(entry.rights().allowsPort(20011)).isFalse();
        assertThat(entry.rights().allowsHost("jupyter.example.com")).isTrue();
        assertThat(entry.rights().allowsHost("a.lab.example.com")).isTrue();
        assertThat(entry.rights().allowsHost("lab.example.com")).isFalse();
        assertThat(entry.rights().allowsHost("evil-lab.example.com")).isFalse();
    }

    @Test
    void namesAreUniqueAndRevokeRemovesOnlyThatToken() throws Exception {
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        file.add("a", TokenRights.ALL);
        file.add("b", TokenRights.ALL);
        assertThatThrownBy(() -> file.add("a", TokenRights.ALL)).hasMessage("a token named 'a' exists; revoke it first");
        assertThatThrownBy(() -> file.add("bad name", TokenRights.ALL)).hasMessageContaining("token name must be");

        assertThat(file.revoke("a")).isTrue();
        assertThat(file.revoke("a")).isFalse();
        assertThat(file.read()).containsOnlyKeys("b");
    }

    @Test
    void aDamagedLineIsReportedWithItsLineNumber() throws Exception {
        Path path = dir.resolve("tokens");
        Files.writeString(path, "# comment\nok " + "00".repeat(32) + " ports=* hosts=-\nbroken zz\n");
        assertThatThrownBy(() -> new TokenFile(path).read())
                .isInstanceOf(IOException.class).hasMessageContaining(path + " line 3:");
    }

    @Test
    void aRunningDirectoryFollowsAddAndRevokeAndTellsWhoWasRevoked() throws Exception {
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        String first = file.add("first", TokenRights.ALL);
        try (FileTokenDirectory directory = new FileTokenDirectory(file)) {
            List<String> revoked = new java.util.concurrent.CopyOnWriteArrayList<>();
            directory.onRevoked(revoked::add);
            long firstId = TokenKey.fromToken("x", first).id();
            assertThat(directory.find(firstId)).isNotNull();

            String second = file.add("second", TokenRights.ALL);
            file.revoke("first");

            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && (revoked.isEmpty() || directory.find(TokenKey.fromToken("x", second).id()) == null)) {
                Thread.sleep(20);
            }
            assertThat(revoked).containsExactly("first");
            assertThat(directory.find(firstId)).isNull();
            assertThat(directory.find(TokenKey.fromToken("x", second).id())).isNotNull();
            assertThat(directory.rights("second")).isEqualTo(TokenRights.ALL);
            Map<String, String> lastUsed = FileTokenDirectory.readLastUsed(file);
            assertThat(lastUsed).isEmpty();
        }
    }

    @Test
    void aReservedPortIsWrittenReadBackAndMustLieInTheTokensPorts() throws Exception {
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        file.add("ipad", new TokenRights(new PortRange(20000, 20010), List.of(), 20003));
        assertThat(Files.readString(file.path())).contains("ports=20000-20010 hosts=- reserve=20003 created=");
        assertThat(file.read().get("ipad").rights().reservedPort()).isEqualTo(20003);
        assertThat(new TokenRights(null, List.of()).reservedPort()).isZero();
        assertThatThrownBy(() -> new TokenRights(new PortRange(20000, 20010), List.of(), 20011))
                .hasMessage("reserved port 20011 is outside the token's ports 20000-20010");
        assertThatThrownBy(() -> file.add("copy", new TokenRights(null, List.of(), 20003)))
                .hasMessage("port 20003 is already reserved for token 'ipad'");
    }

    @Test
    void aReservedHostIsWrittenReadBackFoundByTheDirectoryAndMustBeAFullNameOfOneToken() throws Exception {
        TokenFile file = new TokenFile(dir.resolve("tokens"));
        file.add("ipad", new TokenRights(null, List.of(), 0, "iPad.Example.com"));
        assertThat(Files.readString(file.path())).contains("ports=* hosts=- reserve-host=ipad.example.com created=");
        assertThat(file.read().get("ipad").rights().reservedHost()).isEqualTo("ipad.example.com");
        try (FileTokenDirectory tokens = new FileTokenDirectory(file)) {
            assertThat(tokens.reservedHostBy("ipad.example.com")).isEqualTo("ipad");
            assertThat(tokens.reservedHostBy("other.example.com")).isNull();
        }
        assertThatThrownBy(() -> new TokenRights(null, List.of(), 0, "ipad"))
                .hasMessageContaining("reserved host must be a full host name");
        assertThatThrownBy(() -> file.add("copy", new TokenRights(null, List.of(), 0, "ipad.example.com")))
                .hasMessage("host ipad.example.com is already reserved for token 'ipad'");
    }
}
