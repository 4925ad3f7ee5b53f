package dev.homeport.server.http;

import dev.homeport.protocol.message.PeerEndpoints;
import dev.homeport.protocol.mux.ChannelStreamBridge;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.mux.StreamTraffic;
import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.cluster.RemoteRoute;
import dev.homeport.protocol.mux.MuxStream;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.peer.PeerForwarding;
import dev.homeport.server.peer.PeerTarget;
import dev.homeport.server.tunnel.HostName;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.Tunnel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Set;

/**
 * The heart of a public HTTP connection: checks each request, routes the connection by the Host of
 * its first request to the tunnel's session, opens its one stream there, and rewrites the forwarding
 * headers before the request goes on to be re-encoded. Later requests must name the same host (421
 * otherwise; on HTTPS, every Host must be the TLS server name). Applies the tunnel's access rules
 * ({@link PublicAccess}). Answers 308, 400, 401, 403, 404, 421 or 502 itself when it does not forward,
 * in the request's turn ({@link RefusalInTurn}).
 * A first request that the port's {@link ControlUpgrade} claims is handed to it instead, untouched.
 * A host no local client serves but another relay of the cluster does gets the same checks and
 * headers here, then its stream on the peer link to that relay ({@link PeerForwarding}).
 */
final class HostRouter extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(HostRouter.class);

    /** A user event that must reach the bridge after the messages held before it. */
    private record HeldEvent(Object event) {
    }

    private final HostRegistry hosts;
    private final TrustedProxies trusted;
    private final RelayMetrics metrics;
    /** How requests arrive here: {@code http}, or {@code https} behind the relay's TLS. */
    private final String scheme;
    /** The TLS server name (SNI) of an HTTPS connection, which every Host must match; {@code null} on plain HTTP. */
    private String serverName;
    /** The host this connection serves, set by its first request. */
    private String host;
    private Tunnel tunnel;
    /** Set instead of {@link #tunnel} when another relay serves the host. */
    private RemoteRoute remote;
    private final PeerForwarding forwarding;
    /** The fields the current request declared hop-by-hop in Connection, also removed from its trailers. */
    private Set<String> hopByHop = Set.of();
    /** Whether the latest request prefers JSON error pages. */
    private boolean json;
    /** The relay has answered on its own, or will in its turn ({@link #turns}); the rest of the input is dropped. */
    private boolean refusing;
    /** Pipelined requests are answered in order, the relay's refusal after the service's answers before it. */
    private final RefusalInTurn turns = new RefusalInTurn();
    private AnswerCounter answers;
    /**
     * Messages for the stream until its OPEN is queued on the session: a write before that could
     * reach the session ahead of the OPEN when both share one event loop.
     */
    private ArrayDeque<Object> held;
    /**
     * The tunnel a connection's first request routed to, until the end of the read that brought the
     * request: if the same read also brought a body whose framing fails (an overflowing chunk size, a
     * bad chunk line), the request is refused with 400 and the service never sees any of it.
     */
    private Tunnel routed;
    private MuxSession routedSession;
    /** As {@link #routed}, for a host another relay serves. */
    private RemoteRoute routedRemote;
    /** The relay's own entrance on this port, or {@code null}. */
    private final ControlUpgrade control;
    /** The first request is a client's upgrade to the relay: handed over at the end of this read. */
    private HttpRequest controlRequest;

    HostRouter(HostRegistry hosts, TrustedProxies trusted, String scheme, RelayMetrics metrics, ControlUpgrade control) {
        this(hosts, trusted, scheme, metrics, control, PeerForwarding.off(metrics));
    }

    HostRouter(HostRegistry hosts, TrustedProxies trusted, String scheme, RelayMetrics metrics, ControlUpgrade control,
               PeerForwarding forwarding) {
        this.forwarding = forwarding;
        this.control = control;
        this.metrics = metrics;
        this.hosts = hosts;
        this.trusted = trusted;
        this.scheme = scheme;
    }

    /** The connection's TLS handshake named {@code name}: a request for another host is misdirected (421). */
    void expectServerName(String name) {
        this.serverName = name;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read(); // autoRead is off: the first request head is read here, the rest on the stream's demand
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refusing) {
            ReferenceCountUtil.release(msg);
        } else if (controlRequest != null) {
            afterControlRequest(ctx, msg);
        } else if (msg instanceof HttpRequest request) {
            onRequest(ctx, request);
        } else if (msg instanceof HttpContent content && content.decoderResult().isFailure() && (routed != null || routedRemote != null)) {
            // Head and broken body came in one read: nothing was opened yet. Requests held before it go on.
            content.release();
            for (Object m; (m = held.pollLast()) != null; ) {
                ReferenceCountUtil.release(m);
                if (m instanceof HttpRequest) {
                    turns.withdrawn();
                    break;
                }
            }
            if (!turns.anyForwarded()) {
                routed = null;
                routedSession = null;
                routedRemote = null;
                held = null;
            }
            log.debug("event=http_refused status=400 host={} peer={} reason=\"{}\"", host, ctx.channel().remoteAddress(),
                    content.decoderResult().cause().toString());
            answerItself(ctx, new RefusalInTurn.Refusal(HttpResponseStatus.BAD_REQUEST,
                    "The request body is not valid HTTP/1.1 framing.", json, ""));
        } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
            // The body broke the framing after its head was forwarded: the service has a torn request.
            log.debug("event=http_body_invalid host={} reason=\"{}\"", host, content.decoderResult().cause().toString());
            content.release();
            ctx.close();
        } else if (host != null && (msg instanceof HttpContent || msg instanceof ByteBuf)) {
            if (msg instanceof LastHttpContent last) {
                HeaderHygiene.cleanTrailers(last.trailingHeaders(), hopByHop);
            }
            forward(ctx, msg); // a body, or raw bytes after an upgrade request
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
        json = ErrorPage.prefersJson(request.headers().get(HttpHeaderNames.ACCEPT));
        RequestChecks.Rejection rejection = RequestChecks.check(request);
        if (rejection != null) {
            refuse(ctx, request, rejection.status(), rejection.reason());
            return;
        }
        String requested = HostName.fromHostHeader(request.headers().get(HttpHeaderNames.HOST));
        if (serverName != null && !requested.equals(serverName)) {
            refuse(ctx, request, HttpResponseStatus.MISDIRECTED_REQUEST, "This connection was opened for " + serverName
                    + "; send requests for " + displayed(requested) + " on a connection opened for that name.");
            return;
        }
        if (host == null && control != null && control.claims(request)) {
            controlRequest = request;
            return;
        }
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        boolean fromProxy = trusted.contains(peer.getAddress());
        if (host == null) {
            Tunnel found = hosts.route(requested);
            RemoteRoute elsewhere = found == null || (!found.passthrough() && found.session() == null)
                    ? forwarding.forHttpHost(requested) : null;
            if (elsewhere != null) {
                // Another relay holds the client: the same rules here, with the true peer address.
                if (!admitted(ctx, request, requested, elsewhere.access(), false, peer, fromProxy)) {
                    return;
                }
                host = requested;
                remote = elsewhere;
                answers = new AnswerCounter();
                routedRemote = elsewhere;
                held = new ArrayDeque<>(); // opened at the end of this read, once the peer link is up
            } else {
                if (found == null || found.passthrough()) {
                    refuse(ctx, request, HttpResponseStatus.NOT_FOUND, "No tunnel serves " + displayed(requested) + " on this relay.");
                    return;
                }
                MuxSession session = found.nextSession(); // a pool's members take new connections in turn
                if (session == null) {
                    refuse(ctx, request, HttpResponseStatus.BAD_GATEWAY, "The tunnel for " + requested + " is offline.");
                    return;
                }
                if (!admitted(ctx, request, requested, found.access(), found.announcedPlainHttp(), peer, fromProxy)) {
                    return;
                }
                host = requested;
                tunnel = found;
                answers = new AnswerCounter();
                routed = found;
                routedSession = session;
                held = new ArrayDeque<>(); // opened at the end of this read, see channelReadComplete
            }
        } else if (!requested.equals(host)) {
            refuse(ctx, request, HttpResponseStatus.MISDIRECTED_REQUEST, "This connection serves " + host
                    + "; send requests for " + displayed(requested) + " on a new connection.");
            return;
        } else if (tunnel != null ? !admitted(ctx, request, host, tunnel.access(), tunnel.announcedPlainHttp(), peer, fromProxy)
                : !admitted(ctx, request, host, remote.access(), false, peer, fromProxy)) {
            return;
        }
        hopByHop = HeaderHygiene.cleanHead(request.headers()); // first, so the relay's own headers survive it
        ForwardedHeaders.apply(request.headers(), peer.getAddress(), fromProxy, scheme);
        turns.forwarded();
        forward(ctx, request);
    }

    /** The tunnel's access rules pass the request; if not, the relay has answered it. */
    private boolean admitted(ChannelHandlerContext ctx, HttpRequest request, String name, AccessPolicy policy,
                             boolean announcedPlainHttp, InetSocketAddress peer, boolean fromProxy) {
        PublicAccess.Refusal refusal = PublicAccess.check(request, name, policy, announcedPlainHttp, hosts, scheme, peer.getAddress(),
                fromProxy);
        if (refusal == null) {
            return true;
        }
        ReferenceCountUtil.release(request);
        log.debug("event=http_refused status={} host={} peer={} reason=\"{}\"", refusal.status().code(), name,
                ctx.channel().remoteAddress(), refusal.message());
        answerItself(ctx, new RefusalInTurn.Refusal(refusal.status(), refusal.message(), json, refusal.extraHeaders()));
        return false;
    }

    /** Only the empty end of an upgrade request may follow it: a WebSocket client waits for the answer before it sends. */
    private void afterControlRequest(ChannelHandlerContext ctx, Object msg) {
        boolean emptyEnd = msg instanceof LastHttpContent last && !last.content().isReadable() && last.decoderResult().isSuccess();
        ReferenceCountUtil.release(msg);
        if (!emptyEnd) {
            controlRequest = null;
            refusing = true;
            log.debug("event=control_upgrade_refused peer={} reason=\"data before the upgrade was answered\"",
                    ctx.channel().remoteAddress());
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (controlRequest != null) {
            HttpRequest request = controlRequest;
            controlRequest = null;
            if (ctx.channel().isActive()) {
                control.takeOver(ctx.pipeline(), request);
            }
            return;
        }
        if (routed != null) {
            Tunnel tunnel = routed;
            MuxSession session = routedSession;
            routed = null;
            routedSession = null;
            if (ctx.channel().isActive() && (!refusing || turns.owed())) {
                open(ctx, tunnel, session); // with a refusal owed, for the requests before it
            }
        } else if (routedRemote != null) {
            RemoteRoute route = routedRemote;
            routedRemote = null;
            if (ctx.channel().isActive() && (!refusing || turns.owed())) {
                openElsewhere(ctx, route);
            }
        }
        ctx.fireChannelReadComplete();
    }

    private void open(ChannelHandlerContext ctx, Tunnel tunnel, MuxSession session) {
        EventLoop loop = ctx.channel().eventLoop();
        MuxStream stream = session.newStream();
        ChannelStreamBridge bridge = new ChannelStreamBridge(stream, loop, metrics.streamOpened(tunnel));
        StreamAnswerWatch watch = new StreamAnswerWatch(bridge, () -> loop.execute(() -> unanswered(ctx)), answers,
                (total, over) -> loop.execute(() -> turns.answered(ctx.channel(), total, over)));
        stream.open(tunnel.id(), String.valueOf(ctx.channel().remoteAddress()),
                PeerEndpoints.of(ctx.channel().remoteAddress(), ctx.channel().localAddress()), watch);
        ctx.pipeline().get(UpgradeGate.class).watch(watch);
        ctx.pipeline().addLast("bridge", bridge);
        log.debug("event=http_stream_open {} stream={} peer={}", tunnel, stream.id(), ctx.channel().remoteAddress());
        ctx.executor().execute(() -> drain(ctx)); // runs after the OPEN the session queued
    }

    /** As {@link #open}, on the peer link to the relay that serves the host; held messages wait for the link. */
    private void openElsewhere(ChannelHandlerContext ctx, RemoteRoute route) {
        EventLoop loop = ctx.channel().eventLoop();
        StreamAnswerWatch[] answers = new StreamAnswerWatch[1];
        AnswerCounter counter = this.answers;
        ChannelStreamBridge[] bridge = new ChannelStreamBridge[1];
        PeerTarget target = PeerTarget.http(host);
        StreamTraffic traffic = forwarding.traffic(target);
        forwarding.open(route, target, ctx.channel(), stream -> {
            bridge[0] = new ChannelStreamBridge(stream, loop, traffic);
            answers[0] = new StreamAnswerWatch(bridge[0], () -> loop.execute(() -> unanswered(ctx)), counter,
                    (total, over) -> loop.execute(() -> turns.answered(ctx.channel(), total, over)));
            return answers[0];
        }, stream -> {
            ctx.pipeline().get(UpgradeGate.class).watch(answers[0]);
            ctx.pipeline().addLast("bridge", bridge[0]);
            ctx.executor().execute(() -> drain(ctx)); // runs after the OPEN the session queued
        }, reason -> {
            if (held != null) {
                held.forEach(ReferenceCountUtil::release);
                held = null;
            }
            refusing = true;
            turns.cancel();
            log.debug("event=http_unforwarded host={} peer={} reason=\"{}\"", host, ctx.channel().remoteAddress(), reason);
            ErrorPage.send(ctx.channel(), HttpResponseStatus.BAD_GATEWAY, "The tunnel for " + host + " is not reachable right now.", json);
        });
    }

    private void forward(ChannelHandlerContext ctx, Object msg) {
        if (held != null) {
            held.add(msg);
        } else {
            pass(ctx, msg);
        }
    }

    /** Sends a message on to the stream; a request's method first goes to the count of answers. */
    private void pass(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            answers.expect(request.method());
        }
        ctx.fireChannelRead(msg);
    }

    private void drain(ChannelHandlerContext ctx) {
        ArrayDeque<Object> messages = held;
        if (messages == null) {
            return; // the channel closed and its handlers were removed first
        }
        held = null;
        boolean deliver = ctx.channel().isActive() && (!refusing || turns.owed());
        for (Object m; (m = messages.poll()) != null; ) {
            if (m instanceof HeldEvent e) {
                if (deliver) {
                    ctx.fireUserEventTriggered(e.event());
                }
            } else if (deliver) {
                pass(ctx, m);
            } else {
                ReferenceCountUtil.release(m);
            }
        }
    }

    /** The stream ended before the service sent a byte; on this channel's loop. */
    private void unanswered(ChannelHandlerContext ctx) {
        if ((refusing && !turns.owed()) || !ctx.channel().isActive()) {
            return;
        }
        refusing = true;
        turns.cancel(); // the first request went unanswered: its 502 comes first, and the connection ends with it
        log.debug("event=http_unanswered host={} peer={}", host, ctx.channel().remoteAddress());
        ErrorPage.send(ctx.channel(), HttpResponseStatus.BAD_GATEWAY, "The service behind " + host + " is not reachable right now.", json);
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String message) {
        ReferenceCountUtil.release(request);
        log.debug("event=http_refused status={} host={} peer={} reason=\"{}\"", status.code(), host,
                ctx.channel().remoteAddress(), message);
        answerItself(ctx, new RefusalInTurn.Refusal(status, message, json, ""));
    }

    /** Answers a request the relay does not forward, in its turn, and drops the rest of the input. */
    private void answerItself(ChannelHandlerContext ctx, RefusalInTurn.Refusal refusal) {
        refusing = true;
        turns.refuse(ctx.channel(), refusal);
    }

    /** A host name as the public sent it, shortened so a page never echoes a whole header back. */
    private static String displayed(String name) {
        return name.isEmpty() ? "this host" : name.length() > 100 ? name.substring(0, 100) + "..." : name;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (turns.owed() && evt instanceof ChannelInputShutdownEvent) {
            // The client sent all it will; the answers it waits for still come, and the page closes after.
        } else if (refusing && evt instanceof ChannelInputShutdownEvent) {
            ctx.close(); // the client read the answer and is done
        } else if (held != null && evt instanceof ChannelInputShutdownEvent) {
            held.add(new HeldEvent(evt)); // the FIN must follow the request, not overtake it
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** While the end of input is held back from the bridge, the bridge may still ask to read: epoll refuses to re-arm a shut input. */
    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!(ctx.channel() instanceof DuplexChannel duplex && duplex.isInputShutdown())) {
            ctx.read();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause.getCause() instanceof javax.net.ssl.SSLException) {
            // Socket errors, and on HTTPS failed handshakes (scanners, old clients): expected, one debug line.
            log.debug("event=public_http_socket_error peer={} reason=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("event=public_http_error host={} peer={}", host, ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held != null) {
            held.forEach(ReferenceCountUtil::release);
            held = null;
        }
    }
}
