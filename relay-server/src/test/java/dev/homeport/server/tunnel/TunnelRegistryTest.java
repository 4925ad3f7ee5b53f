package dev.homeport.server.tunnel;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.PortRange;
import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.access.AddressRanges;
import dev.homeport.server.admission.PerTokenCount;
import dev.homeport.server.auth.TokenRights;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import dev.homeport.protocol.transport.NetTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who holds a public port when several sessions of one token ask for it (issue 14): the claim stays
 * with the live client; only the same client instance on a new session, or anyone of the token after
 * the old session ended, takes it over; --pool clients share it, up to --max-pool-members. Real
 * listeners on loopback; sessions are only held, so they need no connection.
 */
class TunnelRegistryTest {
    private static final TokenRights ANY = TokenRights.ALL;
    private EventLoopGroup group;
    private TunnelRegistry registry;
    private int port;

    @BeforeEach
    void start() throws Exception {
        NetTransport transport = NetTransport.best();
        group = transport.newGroup(1, "registry-test");
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        registry = new TunnelRegistry(new PortRange(port, port), Duration.ofSeconds(30), t -> new ServerBootstrap()
                .group(group).channel(transport.serverChannel()).childHandler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress("127.0.0.1", t.port())).sync().channel(),
                new AtomicInteger(1), TunnelLifecycle.NONE, new PerTokenCount(16), 3);
    }

    @AfterEach
    void stop() {
        registry.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aSecondClientOfTheTokenIsRefusedWithBindHeldAndTheFirstKeepsThePort() {
        MuxSession first = Sessions.session("first");
        Tunnel held = bind(new Claimant(first, 1, false), port).tunnel();

        BindOutcome second = bind(new Claimant(Sessions.session("second"), 2, false), port);
        assertThat(second.refusal()).isEqualTo(ErrorCode.BIND_HELD);
        assertThat(second.message()).contains("port " + port, "another client of token alice", "session first", "--pool");
        assertThat(held.sessions()).containsExactly(first);
        BindOutcome again = bind(new Claimant(Sessions.session("third"), 2, false), port);
        assertThat(again.refusal()).as("asking again changes nothing").isEqualTo(ErrorCode.BIND_HELD);
        assertThat(held.sessions()).containsExactly(first);
    }

    @Test
    void aClientThatNamesNoInstanceIsNeverTakenForTheOneThatHoldsThePort() {
        MuxSession first = Sessions.session("first");
        bind(Claimant.alone(first), port);
        assertThat(bind(Claimant.alone(Sessions.session("second")), port).refusal()).isEqualTo(ErrorCode.BIND_HELD);
    }

    @Test
    void theSameClientOnANewSessionTakesThePortFromItsOldSessionBeforeThatIsSeenToEnd() {
        Tunnel held = bind(new Claimant(Sessions.session("old"), 7, false), port).tunnel();
        MuxSession fresh = Sessions.session("new");
        BindOutcome back = bind(new Claimant(fresh, 7, false), port);
        assertThat(back.tunnel()).isSameAs(held);
        assertThat(held.sessions()).containsExactly(fresh);
    }

    @Test
    void aLateBindOfAnOlderSessionOfTheClientLeavesThePortWithTheNewerOneAndEndsTheOlder() {
        EmbeddedChannel oldChannel = new EmbeddedChannel();
        MuxSession old = Sessions.session("old");
        oldChannel.pipeline().addLast(old); // only so that it can be closed
        try {
            Tunnel held = bind(new Claimant(old, 7, 1, false), port).tunnel();
            MuxSession fresh = Sessions.session("new");
            assertThat(bind(new Claimant(fresh, 7, 2, false), port).tunnel()).isSameAs(held);

            BindOutcome late = bind(new Claimant(old, 7, 1, false), port);
            assertThat(late.refusal()).isEqualTo(ErrorCode.SHUTDOWN);
            assertThat(late.message()).isEqualTo("port " + port + " is served by a newer session of this client");
            assertThat(held.sessions()).containsExactly(fresh);
            oldChannel.runPendingTasks();
            assertThat(old.whenClosed().isDone()).as("the given-up session is ended").isTrue();
            assertThat(bind(new Claimant(Sessions.session("unnumbered"), 7, false), port).tunnel())
                    .as("a client that does not number its sessions takes over as before").isSameAs(held);
        } finally {
            oldChannel.finishAndReleaseAll();
        }
    }

    @Test
    void afterTheHolderEndsAnyClientOfTheTokenTakesThePortWithinTheGrace() throws Exception {
        MuxSession first = Sessions.session("first");
        Tunnel held = bind(new Claimant(first, 1, false), port).tunnel();
        registry.release(first);
        assertThat(registry.tunnels().join()).singleElement().satisfies(t -> assertThat(t.session()).isNull());

        MuxSession other = Sessions.session("other");
        assertThat(bind(new Claimant(other, 2, false), port).tunnel()).isSameAs(held);
        assertThat(held.sessions()).containsExactly(other);
    }

    @Test
    void poolClientsServeOnePortTogetherAndTakeNewConnectionsInTurn() {
        MuxSession a = Sessions.session("a");
        MuxSession b = Sessions.session("b");
        Tunnel pool = bind(new Claimant(a, 1, true), port).tunnel();
        assertThat(bind(new Claimant(b, 2, true), port).tunnel()).isSameAs(pool);
        assertThat(pool.pool()).isTrue();
        assertThat(pool.sessions()).containsExactly(a, b);

        List<MuxSession> turns = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            turns.add(pool.nextSession());
        }
        assertThat(turns).containsExactly(a, b, a, b, a, b);

        registry.release(a);
        registry.tunnels().join(); // after the release, on the registry thread
        Set<MuxSession> after = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            after.add(pool.nextSession());
        }
        assertThat(after).as("one member left: every new connection goes to it").containsExactly(b);
    }

    @Test
    void aPoolTakesAtMostMaxPoolMembers() {
        for (int i = 1; i <= 3; i++) {
            assertThat(bind(new Claimant(Sessions.session("m" + i), i, true), port).isGranted()).isTrue();
        }
        BindOutcome fourth = bind(new Claimant(Sessions.session("m4"), 4, true), port);
        assertThat(fourth.refusal()).isEqualTo(ErrorCode.BIND_DENIED);
        assertThat(fourth.message()).contains("already has 3 members", "--max-pool-members");
    }

    @Test
    void aClientWithoutPoolCannotJoinAPool() {
        bind(new Claimant(Sessions.session("pooled"), 1, true), port);
        BindOutcome alone = bind(new Claimant(Sessions.session("alone"), 2, false), port);
        assertThat(alone.refusal()).isEqualTo(ErrorCode.BIND_HELD);
        assertThat(alone.message()).contains("served by a pool of 1 clients", "without --pool cannot join");
    }

    @Test
    void aPoolClientCannotJoinAClientStartedWithoutPool() {
        bind(new Claimant(Sessions.session("alone"), 1, false), port);
        BindOutcome pooled = bind(new Claimant(Sessions.session("pooled"), 2, true), port);
        assertThat(pooled.refusal()).isEqualTo(ErrorCode.BIND_HELD);
        assertThat(pooled.message()).contains("started without --pool", "a --pool client cannot join");
    }

    @Test
    void poolMembersMustAskForTheSameAccessRules() {
        AccessPolicy lan = new AccessPolicy(false, null, AddressRanges.parse("192.0.2.0/24", "allow list"));
        assertThat(registry.bind(new Claimant(Sessions.session("a"), 1, true), "alice", ANY, port, "t", lan).join().isGranted())
                .isTrue();
        BindOutcome open = bind(new Claimant(Sessions.session("b"), 2, true), port);
        assertThat(open.refusal()).isEqualTo(ErrorCode.BIND_DENIED);
        assertThat(open.message()).contains("same https-only, basic auth and allow list");
        assertThat(registry.bind(new Claimant(Sessions.session("c"), 3, true), "alice", ANY, port, "t",
                new AccessPolicy(false, null, AddressRanges.parse("192.0.2.0/24", "allow list"))).join().isGranted()).isTrue();
    }

    @Test
    void anotherTokenGetsBindUnavailableAsBefore() {
        bind(new Claimant(Sessions.session("a"), 1, true), port);
        BindOutcome other = registry.bind(new Claimant(Sessions.session("b"), 2, true), "bob", ANY, port, "t", AccessPolicy.OPEN)
                .join();
        assertThat(other.refusal()).isEqualTo(ErrorCode.BIND_UNAVAILABLE);
        assertThat(other.message()).contains("bound by another token");
    }

    private BindOutcome bind(Claimant who, int requested) {
        return registry.bind(who, "alice", ANY, requested, "t", AccessPolicy.OPEN).join();
    }
}
