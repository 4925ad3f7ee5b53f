package dev.homeport.e2e;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.protocol.message.Auth;
import dev.homeport.protocol.message.Challenge;
import dev.homeport.protocol.message.ControlMessage;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.protocol.message.Hello;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.security.SecureRandom;

/**
 * A client handshake driven by hand over a plain socket, byte for byte as PROTOCOL.md describes it,
 * from a chosen local address: what brute-force and replay scenarios need that the real client hides.
 */
final class RawHandshake {
    /** How a raw handshake ended. */
    enum Outcome { WELCOMED, REFUSED, DROPPED }

    record Result(Outcome outcome, ErrorCode code, String message, byte[] helloAndAuth) {
    }

    private RawHandshake() {
    }

    /** Runs HELLO, CHALLENGE, AUTH with {@code token} from {@code localAddress}. */
    static Result attempt(InetSocketAddress relay, InetAddress localAddress, String token) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(5_000);
            socket.bind(new InetSocketAddress(localAddress, 0));
            byte[] clientNonce = new byte[Hello.NONCE_LENGTH];
            new SecureRandom().nextBytes(clientNonce);
            byte[] hello = bytes(new Hello(1, 1, clientNonce, 1 << 20, 65536, "raw-handshake"));
            try {
                // A throttled address may be reset while connecting: that too is being dropped.
                socket.connect(relay, 5_000);
                OutputStream out = socket.getOutputStream();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                out.write(hello);
                Frame challengeFrame = read(in);
                if (challengeFrame.type() == FrameType.GO_AWAY) {
                    return refused(challengeFrame);
                }
                Challenge challenge = Challenge.decode(challengeFrame.payload());
                TokenKey key = TokenKey.fromToken("raw", token);
                byte[] auth = bytes(new Auth(key.id(), key.proof(challenge.version(), challenge.serverNonce(), clientNonce)));
                out.write(auth);
                Frame answer = read(in);
                if (answer.type() == FrameType.WELCOME) {
                    return new Result(Outcome.WELCOMED, null, null, concat(hello, auth));
                }
                return refused(answer);
            } catch (EOFException | SocketException closed) {
                return new Result(Outcome.DROPPED, null, closed.toString(), null);
            }
        }
    }

    /** Sends bytes recorded from an earlier handshake and reports how the relay answered. */
    static Result replay(InetSocketAddress relay, byte[] helloAndAuth) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(5_000);
            socket.connect(relay, 5_000);
            socket.getOutputStream().write(helloAndAuth);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            try {
                Frame first = read(in);
                if (first.type() != FrameType.CHALLENGE) {
                    return refused(first);
                }
                Frame second = read(in);
                return second.type() == FrameType.WELCOME ? new Result(Outcome.WELCOMED, null, null, null) : refused(second);
            } catch (EOFException | SocketException closed) {
                return new Result(Outcome.DROPPED, null, closed.toString(), null);
            }
        }
    }

    private static Result refused(Frame frame) {
        GoAway goAway = GoAway.decode(frame.payload());
        return new Result(Outcome.REFUSED, goAway.code(), goAway.message(), null);
    }

    static byte[] bytes(ControlMessage message) {
        Frame frame = message.toFrame(UnpooledByteBufAllocator.DEFAULT);
        try {
            ByteBuf header = Unpooled.wrappedBuffer(new byte[Frame.HEADER_LENGTH]).clear();
            FrameEncoder.writeHeader(header, frame.type(), frame.flags(), frame.streamId(), frame.payload().readableBytes());
            return concat(toArray(header), toArray(frame.payload()));
        } finally {
            frame.release();
        }
    }

    /** Frames read here wrap heap arrays the GC owns, so they need no release. */
    static Frame read(DataInputStream in) throws IOException {
        byte[] header = new byte[Frame.HEADER_LENGTH];
        in.readFully(header);
        ByteBuf h = Unpooled.wrappedBuffer(header);
        h.skipBytes(1);
        FrameType type = FrameType.of(h.readUnsignedByte());
        int flags = h.readUnsignedShort();
        int streamId = h.readInt();
        int length = h.readInt();
        if (type == null || length > ProtocolSettings.MAX_FRAME_PAYLOAD) {
            throw new IOException("relay sent an invalid frame header");
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(type, flags, streamId, Unpooled.wrappedBuffer(payload));
    }

    static byte[] toArray(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
