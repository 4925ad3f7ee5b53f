package dev.homeport.e2e;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.protocol.message.Auth;
import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.BindOk;
import dev.homeport.protocol.message.Challenge;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.protocol.message.Hello;
import dev.homeport.protocol.message.Open;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A hostile client: a real handshake over a plain or TLS socket, then whatever frames a test writes, valid
 * or not, byte for byte. Frames read here wrap heap arrays and need no release.
 */
final class RawSession implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    private RawSession(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Connects and authenticates with {@code token}, declaring {@code initialWindow} as its receive window. */
    static RawSession open(InetSocketAddress relay, String token, int initialWindow) throws IOException {
        return authenticate(connect(relay), token, initialWindow);
    }

    /** As {@link #open}, inside TLS, as against a relay that runs as deployed. */
    static RawSession openTls(InetSocketAddress relay, String token, int initialWindow) throws IOException {
        return authenticate(connectTls(relay), token, initialWindow);
    }

    /** A plain connection, nothing sent yet. */
    static Socket connect(InetSocketAddress relay) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(10_000);
        socket.connect(relay, 5_000);
        return socket;
    }

    /** As {@link #openTls(InetSocketAddress, String, int)}, with a kernel receive buffer of {@code receiveBuffer} bytes (0: the default). */
    static RawSession openTls(InetSocketAddress relay, String token, int initialWindow, int receiveBuffer) throws IOException {
        Socket tcp = new Socket();
        if (receiveBuffer > 0) {
            tcp.setReceiveBufferSize(receiveBuffer); // before connect, so that the window is small from the start
        }
        tcp.setSoTimeout(10_000);
        tcp.connect(relay, 5_000);
        return authenticate(startTls(tcp, relay), token, initialWindow);
    }

    /**
     * A TLS connection with its handshake done, nothing sent inside it yet. A hostile client does not
     * care whom it talks to, so it trusts any certificate.
     */
    static SSLSocket connectTls(InetSocketAddress relay) throws IOException {
        return startTls(connect(relay), relay);
    }

    private static SSLSocket startTls(Socket tcp, InetSocketAddress relay) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{new TrustingAnyone()}, null);
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, relay.getHostString(), relay.getPort(), true);
            tls.startHandshake();
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** Runs the handshake on {@code socket}, as a client with {@code token}. */
    static RawSession authenticate(Socket socket, String token, int initialWindow) throws IOException {
        return authenticate(socket, token, initialWindow, "hostile");
    }

    /** As above, introducing itself in HELLO as {@code agent}. */
    static RawSession authenticate(Socket socket, String token, int initialWindow, String agent) throws IOException {
        RawSession s = new RawSession(socket);
        byte[] clientNonce = new byte[Hello.NONCE_LENGTH];
        new SecureRandom().nextBytes(clientNonce);
        s.out.write(RawHandshake.bytes(new Hello(1, 1, clientNonce, initialWindow, 65536, agent)));
        Challenge challenge = Challenge.decode(s.expect(FrameType.CHALLENGE).payload());
        TokenKey key = TokenKey.fromToken("hostile", token);
        s.out.write(RawHandshake.bytes(new Auth(key.id(), key.proof(challenge.version(), challenge.serverNonce(), clientNonce))));
        s.expect(FrameType.WELCOME);
        return s;
    }

    /** Asks for a TCP tunnel on any free port and returns the port granted. */
    int bindAnyPort() throws IOException {
        out.write(RawHandshake.bytes(new Bind(1, Bind.KIND_TCP, 0, "hostile")));
        return BindOk.decode(expect(FrameType.BIND_OK).payload()).port();
    }

    /** Sends a BIND as it is, without waiting for the answer. */
    void sendBind(Bind bind) throws IOException {
        out.write(RawHandshake.bytes(bind));
        out.flush();
    }

    /** The relay's answer to a BIND: BIND_OK or BIND_REFUSED. */
    Frame awaitBindAnswer() throws IOException {
        while (true) {
            Frame f = RawHandshake.read(in);
            if (f.type() == FrameType.BIND_OK || f.type() == FrameType.BIND_REFUSED || f.type() == FrameType.GO_AWAY) {
                return f;
            }
        }
    }

    /** Waits for the relay's OPEN and returns its stream id. */
    int awaitOpen() throws IOException {
        Frame open = expect(FrameType.OPEN);
        Open.decode(open.payload());
        return open.streamId();
    }

    /** Writes one frame: a header as given (any length) and {@code payload} as it is. */
    void send(FrameType type, int streamId, long length, byte[] payload) throws IOException {
        ByteBuf header = Unpooled.buffer(Frame.HEADER_LENGTH);
        FrameEncoder.writeHeader(header, type, 0, streamId, (int) length);
        out.write(RawHandshake.toArray(header));
        out.write(payload);
        out.flush();
    }

    /** Reads frames until the relay's GO_AWAY, skipping any other; {@code null} if the connection ended without one. */
    GoAway awaitGoAway() throws IOException {
        try {
            while (true) {
                Frame f = RawHandshake.read(in);
                if (f.type() == FrameType.GO_AWAY) {
                    return GoAway.decode(f.payload());
                }
            }
        } catch (EOFException | SocketException closed) {
            return null;
        }
    }

    /** True once the relay closed the connection (end of stream or reset) within the socket timeout. */
    boolean closedByRelay() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain what was in flight
            }
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Writes bytes as they are (frames a test encoded itself, many at once). */
    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads the next frame, whatever it is. */
    Frame next() throws IOException {
        return RawHandshake.read(in);
    }

    private Frame expect(FrameType type) throws IOException {
        while (true) {
            Frame f = RawHandshake.read(in);
            if (f.type() == type) {
                return f;
            }
            if (f.type() == FrameType.GO_AWAY) {
                GoAway g = GoAway.decode(f.payload());
                throw new IOException("relay sent GO_AWAY " + g.code() + ": " + g.message() + " while " + type + " was expected");
            }
            // WINDOW_UPDATE on stream 0 and PINGs come unasked; a hostile client ignores them.
        }
    }

    Socket socket() {
        return socket;
    }

    /** Writes bytes as they are: a frame header of any version, half a frame, anything. */
    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    private static final class TrustingAnyone implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
