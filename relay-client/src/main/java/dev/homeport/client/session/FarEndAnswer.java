package dev.homeport.client.session;

import dev.homeport.client.transport.RelayAddress;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

import java.nio.charset.StandardCharsets;

/**
 * The first bytes the far end of a connection sent, below TLS and inside it, kept so that a
 * connection that fails before its session can say what it reached instead of a low-level reason:
 * an HTTP server, an HTTPS server (such as the relay's public HTTPS port), or TLS where plaintext
 * was asked for. Only {@link #KEPT} bytes of each layer are copied, once per connection.
 */
public final class FarEndAnswer {
    /** Enough for "HTTP/1.1" or a TLS record header. */
    static final int KEPT = 8;
    private static final AttributeKey<FarEndAnswer> KEY = AttributeKey.valueOf(FarEndAnswer.class, "far-end-answer");

    private final String relay;
    private final boolean tls;
    private final boolean webSocket;
    private byte[] raw;
    private byte[] insideTls;

    FarEndAnswer(String host, int port, boolean tls, boolean webSocket) {
        this.relay = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        this.tls = tls;
        this.webSocket = webSocket;
    }

    void attachTo(Channel channel) {
        channel.attr(KEY).set(this);
    }

    /** The answer recorded on {@code channel}, or {@code null} before its pipeline was set up. */
    public static FarEndAnswer of(Channel channel) {
        return channel == null ? null : channel.attr(KEY).get();
    }

    void record(boolean inner, ByteBuf first) {
        byte[] copy = new byte[Math.min(KEPT, first.readableBytes())];
        first.getBytes(first.readerIndex(), copy);
        if (inner) {
            insideTls = copy;
        } else {
            raw = copy;
        }
    }

    /**
     * What the far end is, when its answer shows it is no Homeport relay for this transport; retrying
     * cannot help then. {@code null} when the answer (or its absence) does not tell.
     */
    public String wrongPeer() {
        if (tls && !webSocket && isText(raw) && !isHttp(raw)) {
            return relay + " answered in plain text (\"" + printable(raw) + "\"), not TLS: it is not a Homeport control port"
                    + " (the relay's default is 7700)";
        }
        if (tls && !webSocket && isHttp(raw)) {
            return relay + " answered with HTTP, not TLS: it is not a Homeport control port (the relay's default is 7700)."
                    + " If it is a relay started with --insecure-plaintext, connect with --server tcp://" + relay
                    + " --insecure-plaintext";
        }
        if (tls && !webSocket && isHomeportFrame(raw)) {
            return relay + " answered with a plaintext Homeport frame, not TLS: the relay was started with"
                    + " --insecure-plaintext, so connect with --server tcp://" + relay + " --insecure-plaintext";
        }
        if (!tls && !webSocket && isHttp(raw)) {
            return relay + " answered with HTTP: it is not a Homeport control port (the relay's default is 7700)";
        }
        if (!tls && isTlsRecord(raw)) {
            return relay + " answered with TLS, but --insecure-plaintext asked for plaintext: the relay serves TLS,"
                    + " so connect without --insecure-plaintext, with --server " + relay
                    + (webSocket ? " or wss://" + relay + RelayAddress.DEFAULT_WS_PATH : "");
        }
        if (tls && !webSocket && isHttp(insideTls)) {
            return relay + " is an HTTPS server, not a Homeport control port (the relay's public HTTPS port is one):"
                    + " connect with --server wss://" + relay + RelayAddress.DEFAULT_WS_PATH
                    + " to reach the relay through it, or to its control port (default 7700)";
        }
        return null;
    }

    /** Why a connection that closed before its session did, with what it likely means; never {@code null}. */
    public String closedEarly() {
        if (raw != null || webSocket) {
            return "connection closed during the handshake";
        }
        if (!tls) {
            return relay + " closed the connection without answering HELLO, as a relay serving TLS does to plaintext:"
                    + " if the relay was started without --insecure-plaintext, connect with --server " + relay
                    + " and no --insecure-plaintext";
        }
        return relay + " closed the connection during the TLS handshake without answering, as the relay's public HTTPS"
                + " port does for a name it has no certificate for: connect to the relay's control port (default 7700),"
                + " or with --server wss://HOST:PORT" + RelayAddress.DEFAULT_WS_PATH + " by a name that port serves";
    }

    /** An HTTP status line, or the bare HTML page an HTTP/0.9 answer is (Python's http.server sends one to a ClientHello). */
    private static boolean isHttp(byte[] b) {
        String s = b == null ? "" : new String(b, StandardCharsets.US_ASCII);
        return s.startsWith("HTTP/") || (s.startsWith("<") && isText(b));
    }

    /** Printable ASCII only: a banner such as SSH's "SSH-2.0-", never a TLS record or a Homeport frame. */
    private static boolean isText(byte[] b) {
        if (b == null || b.length < 4) {
            return false;
        }
        for (byte c : b) {
            if ((c < 0x20 || c > 0x7e) && c != '\r' && c != '\n' && c != '\t') {
                return false;
            }
        }
        return true;
    }

    private static String printable(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII).replaceAll("[\\r\\n\\t\"\\\\]", "?");
    }

    /**
     * A Homeport frame header on a session stream: version 1, then a session-level type (GO_AWAY
     * 0x0F is what a plaintext relay sends to a TLS ClientHello: its version byte 22 is not 1).
     */
    private static boolean isHomeportFrame(byte[] b) {
        return b != null && b.length >= 8 && b[0] == 1 && b[1] == 0x0F && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0;
    }

    /** A TLS record header: content type handshake or alert (22, 21), then major version 3. */
    private static boolean isTlsRecord(byte[] b) {
        return b != null && b.length >= 2 && (b[0] == 22 || b[0] == 21) && b[1] == 3;
    }
}
