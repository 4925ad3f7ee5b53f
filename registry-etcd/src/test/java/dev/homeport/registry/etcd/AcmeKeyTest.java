package dev.homeport.registry.etcd;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AcmeKeyTest {
    private static final String PREFIX = "/homeport/";
    private final EtcdKeys keys = new EtcdKeys(PREFIX);

    @Test
    void eachAcmeKeyParsesBackToItsHostAndToken() {
        assertThat(AcmeKey.parse(PREFIX, keys.acmeHttpAnswer("app.example.net", "tok-1")))
                .isEqualTo(new AcmeKey(AcmeKey.Kind.HTTP_ANSWER, "app.example.net", "tok-1"));
        assertThat(AcmeKey.parse(PREFIX, keys.acmeAlpnProof("app.example.net")))
                .isEqualTo(new AcmeKey(AcmeKey.Kind.ALPN_PROOF, "app.example.net", null));
        assertThat(AcmeKey.parse(PREFIX, keys.acmeCertificate("app.example.net")))
                .isEqualTo(new AcmeKey(AcmeKey.Kind.CERTIFICATE, "app.example.net", null));
        assertThat(AcmeKey.parse(PREFIX, keys.acmeOrder("app.example.net")).kind()).isEqualTo(AcmeKey.Kind.ORDER);
    }

    @Test
    void keysOfOtherKindsOrShapesAreNotAcmeValues() {
        assertThat(AcmeKey.parse(PREFIX, keys.claim("host/app.example.net")).kind()).isEqualTo(AcmeKey.Kind.OTHER);
        assertThat(AcmeKey.parse(PREFIX, "/other/acme/certs/app.example.net").kind()).isEqualTo(AcmeKey.Kind.OTHER);
        assertThat(AcmeKey.parse(PREFIX, PREFIX + "acme/http-01/app.example.net/").kind()).isEqualTo(AcmeKey.Kind.OTHER);
        assertThat(AcmeKey.parse(PREFIX, PREFIX + "acme/http-01/app.example.net/a/b").kind()).isEqualTo(AcmeKey.Kind.OTHER);
        assertThat(AcmeKey.parse(PREFIX, PREFIX + "acme/certs/").kind()).isEqualTo(AcmeKey.Kind.OTHER);
        assertThat(AcmeKey.parse(PREFIX, PREFIX + "acme/certs/a/b").kind()).isEqualTo(AcmeKey.Kind.OTHER);
    }
}
