package dev.homeport.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A public HTTP client that writes exactly the bytes a test gives it (malformed, spoofed, half sent)
 * and reads answers byte by byte, plus just enough of RFC 6455 to speak WebSocket frames.
 */
final class RawHttp implements AutoCloseable {
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Over a socket already connected, e.g. a TLS socket whose handshake is done. */
    RawHttp(Socket connected) throws IOException {
        socket = connected;
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** How long one read may wait (10 s unless set): a large body on a slow machine waits longer. */
    RawHttp readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        return this;
    }

    static String get(String host, String path, String... extraHeaders) {
        StringBuilder b = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String h : extraHeaders) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    RawHttp send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    /** Half-closes: the request is complete, the answer may still come. */
    void finishSending() throws IOException {
        socket.shutdownOutput();
    }

    RawHttp send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Reads one response: status line, headers, and a body of Content-Length bytes (or up to EOF). */
    Response read() throws IOException {
        Response head = readHead();
        String length = head.header("content-length");
        byte[] body;
        if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if (head.status() == 101) {
            body = new byte[0];
        } else {
            body = in.readAllBytes();
        }
        return new Response(head.status(), head.headers(), new String(body, StandardCharsets.UTF_8));
    }

    /** Reads a response's status line and headers only (its body empty here): the body is left on {@link #input()}. */
    Response readHead() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l; !(l = line()).isEmpty(); ) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        return new Response(status, headers, "");
    }

    /** The connection's bytes after what was read: a body too large to hold as text. */
    InputStream input() {
        return in;
    }

    /** Where a body too large to hold as text is written, after its head was {@link #send(String) sent}. */
    OutputStream output() {
        return out;
    }

    /** Whether the relay closes the connection (EOF or reset) within {@code limit}, reading and dropping anything before. */
    boolean closedWithin(Duration limit) throws IOException {
        socket.setSoTimeout((int) limit.toMillis());
        try {
            while (in.read() >= 0) {
                // drop
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        } finally {
            socket.setSoTimeout(10_000);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    // ---- WebSocket (RFC 6455), text frames under 126 bytes ----

    static String webSocketKey() {
        byte[] nonce = new byte[16];
        new java.util.Random().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    static String expectedAccept(String key) throws Exception {
        byte[] sha1 = MessageDigest.getInstance("SHA-1")
                .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(sha1);
    }

    void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {0x12, 0x34, 0x56, 0x78};
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        out.write(frame);
        out.flush();
    }

    String readText() throws IOException {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
            throw new IOException("connection closed before a WebSocket frame");
        }
        if ((b0 & 0x0F) != 1) {
            throw new IOException("expected a text frame, got opcode " + (b0 & 0x0F));
        }
        int length = b1 & 0x7F;
        if (length == 126) {
            length = (in.read() << 8) | in.read();
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
