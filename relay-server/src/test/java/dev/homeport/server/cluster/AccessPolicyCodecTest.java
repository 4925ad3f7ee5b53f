package dev.homeport.server.cluster;

import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.access.AddressRanges;
import dev.homeport.server.access.BasicCredentials;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccessPolicyCodecTest {

    @Test
    void openRulesSurviveTheRoundTrip() {
        AccessPolicy back = AccessPolicyCodec.decode(AccessPolicyCodec.encode(AccessPolicy.OPEN));
        assertThat(back.sameRules(AccessPolicy.OPEN)).isTrue();
        assertThat(back.basicAuth()).isNull();
        assertThat(back.allowFrom().isEmpty()).isTrue();
        assertThat(AccessPolicyCodec.encode(AccessPolicy.OPEN)).isEqualTo("https_only=false;basic=-;allow=-");
    }

    @Test
    void everyRuleSurvivesTheRoundTripAndStillChecksWhatItChecked() throws Exception {
        AccessPolicy rules = new AccessPolicy(true, BasicCredentials.parse("ann;=x:s3cret:with:colons"),
                AddressRanges.parse("10.0.0.0/8,2001:db8::/32,::ffff:192.0.2.7/128,192.0.2.1", "allow list"));

        AccessPolicy back = AccessPolicyCodec.decode(AccessPolicyCodec.encode(rules));

        assertThat(back.sameRules(rules)).isTrue();
        assertThat(back.httpsOnly()).isTrue();
        assertThat(back.basicAuth().user()).isEqualTo("ann;=x");
        String header = "Basic " + Base64.getEncoder().encodeToString("ann;=x:s3cret:with:colons".getBytes(StandardCharsets.UTF_8));
        assertThat(back.basicAuth().matches(header)).isTrue();
        assertThat(back.basicAuth().matches("Basic " + Base64.getEncoder().encodeToString("ann;=x:wrong".getBytes(StandardCharsets.UTF_8))))
                .isFalse();
        assertThat(back.admits(InetAddress.getByName("10.1.2.3"))).isTrue();
        assertThat(back.admits(InetAddress.getByName("2001:db8::1"))).isTrue();
        assertThat(back.admits(InetAddress.getByName("192.0.2.1"))).isTrue();
        assertThat(back.admits(InetAddress.getByName("192.0.2.2"))).isFalse();
    }

    @Test
    void theTextCarriesTheDigestNeverThePassword() {
        String text = AccessPolicyCodec.encode(new AccessPolicy(false, BasicCredentials.parse("ann:hunter2"), AddressRanges.NONE));
        assertThat(text).doesNotContain("hunter2")
                .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString("hunter2".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void malformedTextIsRefusedNamingThePart() {
        assertThatThrownBy(() -> AccessPolicyCodec.decode("https_only=true;basic=-")).hasMessageContaining("https_only, basic and allow");
        assertThatThrownBy(() -> AccessPolicyCodec.decode("https_only=true;basic=abc;allow=-")).hasMessageContaining("USER:DIGEST");
        assertThatThrownBy(() -> AccessPolicyCodec.decode("https_only=true;basic=-;allow=0a00/33")).hasMessageContaining("'0a00/33'");
        assertThatThrownBy(() -> AccessPolicyCodec.decode("x=1;basic=-;allow=-")).hasMessageContaining("https_only=");
    }
}
