package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClaimRegistryProvider;
import dev.homeport.server.PortRange;
import dev.homeport.server.auth.NewToken;
import dev.homeport.server.auth.TokenFile;
import dev.homeport.server.auth.TokenRights;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EtcdKeysTest {
    private final EtcdKeys keys = new EtcdKeys("/homeport/");

    @Test
    void aMemberKeyNamesItsNameRelayAndSessionEvenWithSlashesInThem() {
        String key = keys.member("host/app.example.net", "relay/a", "s/1");
        EtcdKeys.Parsed p = keys.parse(key);
        assertThat(key).startsWith(keys.membersOf("host/app.example.net"));
        assertThat(p.kind()).isEqualTo(EtcdKeys.Kind.MEMBER);
        assertThat(p.name()).isEqualTo("host/app.example.net");
        assertThat(p.relayId()).isEqualTo("relay/a");
        assertThat(p.session()).isEqualTo("s/1");
    }

    @Test
    void onePortsMembersNeverShareAPrefixWithAnothersOfTheSameDigits() {
        assertThat(keys.member("port/20001", "r1", "s1")).doesNotStartWith(keys.membersOf("port/2000"));
    }

    @Test
    void relayAndClaimKeysParseBackAndForeignKeysAreOther() {
        assertThat(keys.parse(keys.relay("r 1")).relayId()).isEqualTo("r 1");
        assertThat(keys.parse(keys.claim("port/20001")).name()).isEqualTo("port/20001");
        assertThat(keys.parse("/other/relays/r1").kind()).isEqualTo(EtcdKeys.Kind.OTHER);
        assertThat(keys.parse("/homeport/members/port").kind()).isEqualTo(EtcdKeys.Kind.OTHER);
    }

    @Test
    void valuesSurviveTheirTextForm() {
        ClaimValue c = new ClaimValue("ann=x\nb", "http", true, "https_only=false;basic=-;allow=-");
        MemberValue m = new MemberValue("r1", "s 1", 0xfedcba9876543210L);
        assertThat(ClaimValue.decode(c.encode())).isEqualTo(c);
        assertThat(MemberValue.decode(m.encode())).isEqualTo(m);
    }

    @Test
    void tokenKeysNameTheirTokenAndAreNeverTakenForRoutes() {
        assertThat(keys.tokenName(keys.token("ipad.1"))).isEqualTo("ipad.1");
        assertThat(keys.parse(keys.token("ipad")).kind()).isEqualTo(EtcdKeys.Kind.OTHER);
        assertThat(keys.parse(keys.tokenIndex()).kind()).isEqualTo(EtcdKeys.Kind.OTHER);
        assertThat(keys.tokenIndex()).doesNotStartWith(keys.tokens());
    }

    @Test
    void aTokenEntrySurvivesItsTextFormAndAValueWithoutAKeyHashIsRefused() {
        TokenFile.Entry e = NewToken.make("ipad", new TokenRights(PortRange.parse("20000-20010"), List.of("a.example.com",
                "*.lab.example.com"), 20003, "ipad.example.com")).entry();
        TokenFile.Entry back = TokenValue.decode("ipad", TokenValue.encode(e));
        assertThat(back.keyHash()).isEqualTo(e.keyHash());
        assertThat(back.rights().describe()).isEqualTo(e.rights().describe());
        assertThat(back.created()).isEqualTo(e.created());
        assertThat(TokenValue.decode("all", TokenValue.encode(new TokenFile.Entry("all", e.keyHash(), TokenRights.ALL,
                e.created()))).rights().describe()).isEqualTo(TokenRights.ALL.describe());
        assertThatThrownBy(() -> TokenValue.decode("ipad", "ports=*\ncreated=" + e.created() + "\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key_hash");
    }

    @Test
    void theRelayFindsThisModuleThroughServiceLoader() {
        assertThat(ClaimRegistryProvider.find("etcd")).isInstanceOf(EtcdClaimRegistryProvider.class);
    }
}
