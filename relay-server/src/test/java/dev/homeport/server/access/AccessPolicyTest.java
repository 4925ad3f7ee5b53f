package dev.homeport.server.access;

import dev.homeport.protocol.message.Bind;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PROTOCOL.md, "Public access": what a BIND's access fields mean to the relay, and which it refuses. */
class AccessPolicyTest {
    private static Bind http(int flags, String basicAuth, String allowFrom) {
        return new Bind(1, Bind.KIND_HTTP, 0, "t", "a.example.com", flags, basicAuth, allowFrom);
    }

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anEmptyPolicyAdmitsEveryoneAndDemandsNothing() throws Exception {
        AccessPolicy open = AccessPolicy.of(http(0, "", ""));
        assertThat(open.httpsOnly()).isFalse();
        assertThat(open.basicAuth()).isNull();
        assertThat(open.admits(InetAddress.getByName("203.0.113.9"))).isTrue();
    }

    @Test
    void theAllowListAdmitsAddressesInItsBlocksOnlyIncludingIpv4MappedPeers() throws Exception {
        AccessPolicy p = AccessPolicy.of(http(Bind.FLAG_HTTPS_ONLY, "", "192.0.2.0/24, 2001:db8::/32,198.51.100.7"));
        assertThat(p.httpsOnly()).isTrue();
        assertThat(p.admits(InetAddress.getByName("192.0.2.200"))).isTrue();
        assertThat(p.admits(InetAddress.getByName("192.0.3.1"))).isFalse();
        assertThat(p.admits(InetAddress.getByName("198.51.100.7"))).isTrue();
        assertThat(p.admits(InetAddress.getByName("198.51.100.8"))).isFalse();
        assertThat(p.admits(InetAddress.getByName("2001:db8:1::5"))).isTrue();
        assertThat(p.admits(InetAddress.getByName("2001:db9::5"))).isFalse();
        assertThat(p.admits(InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 192, 0, 2, 1})))
                .isTrue();
    }

    @Test
    void basicCredentialsMatchOnlyTheExactUserAndPassword() {
        BasicCredentials c = AccessPolicy.of(http(0, "ana:s3cret:with:colons", "")).basicAuth();
        assertThat(c.matches(basic("ana:s3cret:with:colons"))).isTrue();
        assertThat(c.matches("basic " + Base64.getEncoder().encodeToString("ana:s3cret:with:colons".getBytes(StandardCharsets.UTF_8))))
                .isTrue(); // the scheme is case-insensitive
        assertThat(c.matches(basic("ana:s3cret"))).isFalse();
        assertThat(c.matches(basic("Ana:s3cret:with:colons"))).isFalse();
        assertThat(c.matches("Basic !!!not-base64")).isFalse();
        assertThat(c.matches("Bearer x")).isFalse();
        assertThat(c.matches(null)).isFalse();
        assertThat(c.toString()).doesNotContain("s3cret");
    }

    @Test
    void malformedRulesOrRulesTheKindCannotEnforceAreRefusedWithAClearMessage() {
        assertThatThrownBy(() -> AccessPolicy.of(http(0, "nopassword", "")))
                .hasMessage("basic auth must be USER:PASSWORD with both parts non-empty");
        assertThatThrownBy(() -> AccessPolicy.of(http(0, ":pw", ""))).hasMessageContaining("USER:PASSWORD");
        assertThatThrownBy(() -> AccessPolicy.of(http(0, "", "10.0.0.0/33"))).hasMessage("allow list: prefix length of '10.0.0.0/33' must be 0-32");
        assertThatThrownBy(() -> AccessPolicy.of(http(0, "", "example.com"))).hasMessageContaining("'example.com'");
        assertThatThrownBy(() -> AccessPolicy.of(http(0, "", "deadbeef.cafe"))).hasMessageContaining("'deadbeef.cafe'"); // never looked up
        assertThatThrownBy(() -> AccessPolicy.of(new Bind(1, Bind.KIND_TLS, 0, "t", "a.example.com", 0, "a:b", "")))
                .hasMessageStartingWith("basic auth needs an HTTP tunnel");
    }
}
