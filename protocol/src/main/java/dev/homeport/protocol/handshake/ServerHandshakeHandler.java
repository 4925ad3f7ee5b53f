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
import java.util.HexFormat;

/** Server side of the handshake: HELLO in, CHALLENGE out, AUTH in, WELCOME out (PROTOCOL.md, "Handshake"). */
public final class ServerHandshakeHandler extends HandshakeHandler {
    public static final int MIN_VERSION = 1;
    public static final int MAX_VERSION = 1;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Checked against when the token id is unknown, so that an unknown id costs the same time as a wrong MAC. */
    private static final TokenKey DECOY = TokenKey.fromToken("decoy", "decoy-" + RANDOM.nextLong());

    private final TokenKeyLookup tokens;
    private Hello hello;
    private int version;
    private byte[] serverNonce;
    private long challengeSentNanos;

    public ServerHandshakeHandler(ProtocolSettings settings, TokenKeyLookup tokens) {
        super(settings);
        this.tokens = tokens;
    }

    @Override
    protected void onFrame(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() == FrameType.GO_AWAY) {
            // The client gave up (its deadline, a bad certificate answer...): nothing to answer.
            abandon(ctx, "client ended the handshake: " + GoAway.decode(frame.payload()).message());
            return;
        }
        if (hello == null) {
            if (frame.type() != FrameType.HELLO) {
                throw unexpected("HELLO", frame);
            }
            onHello(ctx, Hello.decode(frame.payload()));
        } else {
            if (frame.type() != FrameType.AUTH) {
                throw unexpected("AUTH", frame);
            }
            onAuth(ctx, Auth.decode(frame.payload()));
        }
    }

    private void onHello(ChannelHandlerContext ctx, Hello h) {
        if (h.maxVersion() < MIN_VERSION || h.minVersion() > MAX_VERSION || h.minVersion() > h.maxVersion()) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "client speaks protocol versions "
                    + h.minVersion() + "-" + h.maxVersion() + ", this relay speaks " + MIN_VERSION + "-" + MAX_VERSION);
        }
        checkPeerLimits(h.initialWindow(), h.maxFramePayload(), 1);
        hello = h;
        version = Math.min(h.maxVersion(), MAX_VERSION);
        serverNonce = new byte[Challenge.NONCE_LENGTH];
        RANDOM.nextBytes(serverNonce);
        challengeSentNanos = System.nanoTime();
        ctx.writeAndFlush(new Challenge(version, serverNonce).toFrame(ctx.alloc()));
    }

    private void onAuth(ChannelHandlerContext ctx, Auth auth) {
        long rtt = System.nanoTime() - challengeSentNanos;
        TokenKey key = tokens.find(auth.tokenId());
        boolean valid = (key != null ? key : DECOY).verify(version, serverNonce, hello.clientNonce(), auth.mac());
        if (key == null || !valid) {
            throw new ProtocolException(ErrorCode.AUTH_FAILED, "authentication failed: this relay does not accept that token");
        }
        byte[] id = new byte[6];
        RANDOM.nextBytes(id);
        String sessionId = HexFormat.of().formatHex(id);
        ctx.writeAndFlush(new Welcome(settings.initialStreamWindow(), settings.maxFramePayload(),
                settings.maxConcurrentStreams(), sessionId).toFrame(ctx.alloc()));
        complete(ctx, new HandshakeCompleted(version, sessionId, key.name(), hello.agent(),
                hello.initialWindow(), hello.maxFramePayload(), Integer.MAX_VALUE, rtt));
    }
}
