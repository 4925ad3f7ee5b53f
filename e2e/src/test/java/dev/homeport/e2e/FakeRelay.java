package dev.homeport.e2e;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.BindOk;
import dev.homeport.protocol.message.Challenge;
import dev.homeport.protocol.message.ControlMessage;
import dev.homeport.protocol.message.Hello;
import dev.homeport.protocol.message.Welcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/** The relay's side of the protocol, by hand. Frames read here wrap heap arrays and need no release. */
final class FakeRelay {
    private final DataInputStream in;
    private final OutputStream out;

    FakeRelay(Socket s) throws IOException {
        in = new DataInputStream(s.getInputStream());
        out = s.getOutputStream();
    }

    /** Grants the first BIND as tunnel {@code tunnelId}. */
    void handshakeAndGrantTheTunnel(int tunnelId) throws IOException {
        handshake();
        Bind bind = Bind.decode(expect(FrameType.BIND).payload());
        send(new BindOk(bind.requestId(), tunnelId, 20_000, ""), 0);
    }

    void handshake() throws IOException {
        Hello.decode(expect(FrameType.HELLO).payload());
        byte[] nonce = new byte[Challenge.NONCE_LENGTH];
        new SecureRandom().nextBytes(nonce);
        send(new Challenge(1, nonce), 0);
        expect(FrameType.AUTH); // a hostile relay admits anyone
        send(new Welcome(1 << 20, 65536, 100, "fake-relay"), 0);
    }

    void send(ControlMessage m, int streamId) throws IOException {
        Frame f = m.toFrame(UnpooledByteBufAllocator.DEFAULT, streamId);
        try {
            raw(f.type(), streamId, ByteBufUtil.getBytes(f.payload()));
        } finally {
            f.release();
        }
    }

    void data(int streamId, String text) throws IOException {
        raw(FrameType.DATA, streamId, text.getBytes(StandardCharsets.UTF_8));
    }

    void raw(FrameType type, int streamId, byte[] payload) throws IOException {
        ByteBuf header = Unpooled.buffer(Frame.HEADER_LENGTH);
        FrameEncoder.writeHeader(header, type, 0, streamId, payload.length);
        out.write(ByteBufUtil.getBytes(header));
        out.write(payload);
        out.flush();
    }

    /** The next frame on {@code streamId}, skipping session frames (PING, WINDOW_UPDATE) and the client's credit. */
    Frame next(int streamId) throws IOException {
        while (true) {
            Frame f = RawHandshake.read(in);
            if (f.streamId() == streamId && f.type() != FrameType.WINDOW_UPDATE) {
                return f;
            }
        }
    }

    Frame expect(FrameType type) throws IOException {
        while (true) {
            Frame f = RawHandshake.read(in);
            if (f.type() == type) {
                return f;
            }
        }
    }
}
