package dev.homeport.e2e;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.BindOk;
import dev.homeport.protocol.message.BindRefused;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.auth.TokenRights;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.tunnel.Tunnel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Who may bind what, with raw clients that ask for anything: a port outside the token's range and
 * another token's host name are refused and nothing listens for them; of 1,000 concurrent claims of
 * one host name exactly one wins; and while the winner is away, no other token can take the name.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BindingRightsTest {
    private static final int CLAIMANTS = 1_000;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aPortOutsideTheTokensRangeAndAnotherTokensHostAreRefusedAndNothingListens() throws Exception {
        int base = FreePorts.block(5);
        Tokens tokens = new Tokens();
        tokens.add("carol", new TokenRights(new PortRange(base + 3, base + 4), List.of("carol.example.com")));
        RelayServer relay = relay(base, tokens);

        try (RawSession carol = RawSession.open(relay.controlAddress(), tokens.secret("carol"), 1 << 20)) {
            carol.sendBind(new Bind(1, Bind.KIND_TCP, base + 1, "not mine"));
            BindRefused port = BindRefused.decode(carol.awaitBindAnswer().payload());
            assertThat(port.code()).isEqualTo(ErrorCode.BIND_DENIED);
            assertThat(port.message()).contains("may bind ports " + (base + 3) + "-" + (base + 4) + " only, not " + (base + 1));
            assertThatThrownBy(() -> new Socket("127.0.0.1", base + 1).close()).as("nothing listens on the refused port")
                    .isInstanceOf(ConnectException.class);

            carol.sendBind(new Bind(2, Bind.KIND_HTTP, 0, "not mine either", "alice.example.com"));
            BindRefused host = BindRefused.decode(carol.awaitBindAnswer().payload());
            assertThat(host.code()).isEqualTo(ErrorCode.BIND_DENIED);
            assertThat(host.message()).contains("may not bind host alice.example.com");
            assertThat(relay.tunnels()).as("tunnels on the relay").isEmpty();
            try (RawHttp c = new RawHttp(relay.httpAddress())) {
                assertThat(c.send(RawHttp.get("alice.example.com", "/")).read().status()).isEqualTo(404);
            }
        }
    }

    @Test
    void aClientThatNamesAPortGetsThatPortOrBindUnavailableAndOnlyPortZeroGetsAnyFreePort() throws Exception {
        int base = FreePorts.block(6);
        Tokens tokens = new Tokens();
        tokens.add("alice", new TokenRights(null, List.of()));
        tokens.add("bob", new TokenRights(null, List.of()));
        RelayServer relay = RelayServer.start(Transport.TLS.relay(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base),
                        "127.0.0.1", new PortRange(base + 1, base + 4), tokens))
                .withShutdownGrace(Duration.ZERO));
        open.add(relay);
        // Another program on the relay's host holds one port of the range.
        java.net.ServerSocket foreign = new java.net.ServerSocket(base + 3, 1, java.net.InetAddress.getByName("127.0.0.1"));
        open.add(foreign);

        RawSession alice = RawSession.openTls(relay.controlAddress(), tokens.secret("alice"), 1 << 20);
        open.add(alice);
        alice.sendBind(new Bind(1, Bind.KIND_TCP, base + 1, "alices"));
        assertThat(BindOk.decode(alice.awaitBindAnswer().payload()).port()).isEqualTo(base + 1);
        RawSession bob = RawSession.openTls(relay.controlAddress(), tokens.secret("bob"), 1 << 20);
        open.add(bob);

        assertUnavailable(bob, base + 1, "port " + (base + 1) + " is bound by another token");
        assertUnavailable(bob, base + 3, "port " + (base + 3) + " is in use on the relay's host");
        assertUnavailable(alice, base + 1, "port " + (base + 1) + " is already bound by this session");
        alice.close();
        Await.until(Duration.ofSeconds(10), "alice's session gone", () -> relay.sessions().size() == 1);
        assertUnavailable(bob, base + 1, "port " + (base + 1) + " is reserved for another token during its reconnect grace");
        bob.sendBind(new Bind(9, Bind.KIND_TCP, base + 5, "outside"));
        assertThat(BindRefused.decode(bob.awaitBindAnswer().payload()).code()).isEqualTo(ErrorCode.BIND_DENIED);
        assertThat(relay.tunnels()).as("nothing bound for bob by any of those").noneMatch(t -> t.principal().equals("bob"));

        bob.sendBind(new Bind(10, Bind.KIND_TCP, 0, "any"));
        assertThat(BindOk.decode(bob.awaitBindAnswer().payload()).port()).as("port 0: any free one").isIn(base + 2, base + 4);
    }

    private static void assertUnavailable(RawSession client, int port, String reason) throws IOException {
        client.sendBind(new Bind(port, Bind.KIND_TCP, port, "wants " + port));
        Frame answer = client.awaitBindAnswer();
        assertThat(answer.type()).as("answer to a BIND for port " + port).isEqualTo(FrameType.BIND_REFUSED);
        BindRefused refused = BindRefused.decode(answer.payload());
        assertThat(refused.code()).isEqualTo(ErrorCode.BIND_UNAVAILABLE);
        assertThat(refused.message()).isEqualTo(reason);
    }

    @Test
    void ofAThousandConcurrentClaimsOfOneHostExactlyOneWinsAndNoOtherTokenTakesItDuringTheGrace() throws Exception {
        int base = FreePorts.block(3);
        Tokens tokens = new Tokens();
        for (int i = 0; i < CLAIMANTS; i++) {
            tokens.add("user" + i, new TokenRights(null, List.of("*.example.com")));
        }
        RelayServer relay = relay(base, tokens);
        ExecutorService pool = Executors.newFixedThreadPool(32);
        open.add(pool::shutdownNow);

        // Every claimant authenticates first, so that the claims themselves race.
        List<Future<RawSession>> sessions = new ArrayList<>();
        for (int i = 0; i < CLAIMANTS; i++) {
            String secret = tokens.secret("user" + i);
            sessions.add(pool.submit(() -> RawSession.open(relay.controlAddress(), secret, 1 << 20)));
        }
        List<RawSession> claimants = new ArrayList<>();
        for (Future<RawSession> f : sessions) {
            RawSession s = f.get(60, TimeUnit.SECONDS);
            open.add(s);
            claimants.add(s);
        }
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<Integer> winners = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();
        List<Future<?>> claims = new ArrayList<>();
        for (int i = 0; i < CLAIMANTS; i++) {
            int who = i;
            claims.add(pool.submit(() -> {
                go.await();
                RawSession s = claimants.get(who);
                s.sendBind(new Bind(1, Bind.KIND_HTTP, 0, "claim", "shared"));
                Frame answer = s.awaitBindAnswer();
                if (answer.type() == FrameType.BIND_OK) {
                    winners.add(who);
                } else {
                    BindRefused r = BindRefused.decode(answer.payload());
                    refusals.add(r.code() + " " + r.message());
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : claims) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertThat(winners).hasSize(1);
        assertThat(refusals).hasSize(CLAIMANTS - 1)
                .allSatisfy(r -> assertThat(r).isEqualTo("BIND_UNAVAILABLE host shared.example.com is bound by another token"));
        int winner = winners.peek();

        // The winner goes away: the name stays reserved for its token during the reconnect grace.
        claimants.get(winner).close();
        Await.until(Duration.ofSeconds(10), "the winner's session gone", () -> relay.sessions().size() == CLAIMANTS - 1);
        Tunnel reserved = relay.tunnels().stream().filter(t -> t.hostname().equals("shared.example.com")).findFirst().orElseThrow();
        assertThat(reserved.session()).as("reserved, not live").isNull();
        RawSession thief = claimants.get(winner == 0 ? 1 : 0);
        thief.sendBind(new Bind(2, Bind.KIND_HTTP, 0, "steal", "shared"));
        Frame stolen = thief.awaitBindAnswer();
        assertThat(stolen.type()).isEqualTo(FrameType.BIND_REFUSED);
        assertThat(BindRefused.decode(stolen.payload()).code()).isEqualTo(ErrorCode.BIND_UNAVAILABLE);

        try (RawSession back = RawSession.open(relay.controlAddress(), tokens.secret("user" + winner), 1 << 20)) {
            back.sendBind(new Bind(1, Bind.KIND_HTTP, 0, "again", "shared"));
            assertThat(back.awaitBindAnswer().type()).as("the same token takes its name back").isEqualTo(FrameType.BIND_OK);
        }
    }

    private RelayServer relay(int base, Tokens tokens) throws InterruptedException {
        RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base), "127.0.0.1",
                        new PortRange(base + 1, base + 2), tokens)
                .withShutdownGrace(Duration.ZERO)
                .withHttp(HttpSettings.on(new InetSocketAddress("127.0.0.1", 0), "example.com")));
        open.add(relay);
        return relay;
    }

    /** Many tokens without a file: each a key and its rights. */
    private static final class Tokens implements TokenDirectory {
        private final Map<Long, TokenKey> keys = new HashMap<>();
        private final Map<String, TokenRights> rights = new HashMap<>();
        private final Map<String, String> secrets = new HashMap<>();

        void add(String name, TokenRights r) {
            String secret = "secret-of-" + name;
            TokenKey key = TokenKey.fromToken(name, secret);
            keys.put(key.id(), key);
            rights.put(name, r);
            secrets.put(name, secret);
        }

        String secret(String name) {
            return secrets.get(name);
        }

        @Override
        public TokenKey find(long tokenId) {
            return keys.get(tokenId);
        }

        @Override
        public TokenRights rights(String principal) {
            return rights.get(principal);
        }
    }
}
