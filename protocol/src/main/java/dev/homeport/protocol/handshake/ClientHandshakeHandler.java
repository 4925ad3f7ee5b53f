package dev.homeport.protocol.handshake;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Auth;
import dev.homeport.protocol.message.Challenge;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.protocol.message.Hello;
import dev.homeport.protocol.message.Welcome;
import io.netty.channel.ChannelHandlerContext;

import java.security.SecureRandom;

/** Client side of the handshake: HELLO out, CHALLENGE in, AUTH out, WELCOME in (PROTOCOL.md, "Handshake"). */
public final class ClientHandshakeHandler extends HandshakeHandler {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TokenKey token;
    private final String agent;
    private final byte[] clientNonce = new byte[Hello.NONCE_LENGTH];
    private int version;
    private long authSentNanos;
    private boolean failedByPeer;

    public ClientHandshakeHandler(ProtocolSettings settings, TokenKey token, String agent) {
        super(settings);
        this.token = token;
        this.agent = agent;
    }

    @Override
    protected void onStart(ChannelHandlerContext ctx) {
        RANDOM.nextBytes(clientNonce);
        ctx.writeAndFlush(new Hello(ServerHandshakeHandler.MIN_VERSION, ServerHandshakeHandler.MAX_VERSION, clientNonce,
                settings.initialStreamWindow(), settings.maxFramePayload(), agent).toFrame(ctx.alloc()));
    }

    @Override
    protected void onFrame(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() == FrameType.GO_AWAY) {
            GoAway goAway = GoAway.decode(frame.payload());
            failedByPeer = true;
            throw new ProtocolException(goAway.code(), "relay refused the session: " + goAway.message());
        }
        if (version == 0) {
            if (frame.type() != FrameType.CHALLENGE) {
                throw unexpected("CHALLENGE", frame);
            }
            Challenge challenge = Challenge.decode(frame.payload());
            if (challenge.version() < ServerHandshakeHandler.MIN_VERSION || challenge.version() > ServerHandshakeHandler.MAX_VERSION) {
                throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION,
                        "relay chose protocol version " + challenge.version() + ", which this client does not speak");
            }
            version = challenge.version();
            authSentNanos = System.nanoTime();
            ctx.writeAndFlush(new Auth(token.id(), token.proof(version, challenge.serverNonce(), clientNonce)).toFrame(ctx.alloc()));
        } else {
            if (frame.type() != FrameType.WELCOME) {
                throw unexpected("WELCOME", frame);
            }
            Welcome welcome = Welcome.decode(frame.payload());
            checkPeerLimits(welcome.initialWindow(), welcome.maxFramePayload(), welcome.maxConcurrentStreams());
            complete(ctx, new HandshakeCompleted(version, welcome.sessionId(), "", "", welcome.initialWindow(),
                    welcome.maxFramePayload(), welcome.maxConcurrentStreams(), System.nanoTime() - authSentNanos));
        }
    }

    @Override
    protected boolean sendsGoAwayOnFailure() {
        return !failedByPeer;
    }
}
