package dev.homeport.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client (RFC 6455) on a plain or TLS socket, enough for Jupyter's kernel channels: it dials one
 * address and sends the Host header the test names, as a browser would that resolved the name.
 * Text frames of any length out (masked) and in; pings answered; no extensions offered.
 */
final class KernelSocket implements AutoCloseable {
    /** Largest frame read; kernel messages of the test are far smaller. */
    static final int MAX_FRAME = 4 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final SecureRandom random = new SecureRandom();

    private KernelSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Opens {@code path} on {@code dial} with {@code Host: host}; fails unless the answer is 101. */
    static KernelSocket open(InetSocketAddress dial, String host, String path, String origin) throws IOException {
        Socket s = new Socket();
        s.connect(dial, 5_000);
        return open(s, host, path, origin);
    }

    /** Opens {@code path} over {@code s}, already connected (a TLS socket, say); closes it on failure. */
    static KernelSocket open(Socket s, String host, String path, String origin) throws IOException {
        try {
            s.setSoTimeout(30_000);
            KernelSocket ws = new KernelSocket(s);
            byte[] nonce = new byte[16];
            ws.random.nextBytes(nonce);
            String head = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nOrigin: " + origin + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n";
            ws.out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            ws.out.flush();
            String status = ws.line();
            for (String l = ws.line(); !l.isEmpty(); l = ws.line()) {
                // headers: nothing needed from them
            }
            if (!status.startsWith("HTTP/1.1 101")) {
                throw new IOException("WebSocket upgrade of " + path + " answered: " + status);
            }
            return ws;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x81);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            f.write(0x80 | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        f.write(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i % 4]);
        }
        synchronized (out) {
            out.write(f.toByteArray());
            out.flush();
        }
    }

    /** The next text message; pings are answered on the way, a close frame is an IOException. */
    String readText() throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 < 0 || b1 < 0) {
                throw new IOException("WebSocket closed by the peer");
            }
            long length = b1 & 0x7F;
            if (length == 126) {
                length = (in.read() << 8) | in.read();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | in.read();
                }
            }
            if (length > MAX_FRAME) {
                throw new IOException("WebSocket frame of " + length + " bytes");
            }
            byte[] payload = in.readNBytes((int) length);
            int opcode = b0 & 0x0F;
            if (opcode == 0x8) {
                throw new IOException("WebSocket closed by the peer");
            } else if (opcode == 0x9) {
                pong(payload);
            } else if (opcode == 0x1 || opcode == 0x0) {
                message.write(payload);
                if ((b0 & 0x80) != 0) {
                    return message.toString(StandardCharsets.UTF_8);
                }
            } // binary and pong frames: not used by the test
        }
    }

    private void pong(byte[] payload) throws IOException {
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        byte[] f = new byte[2 + 4 + payload.length];
        f[0] = (byte) 0x8A;
        f[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, f, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            f[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        synchronized (out) {
            out.write(f);
            out.flush();
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
        throw new IOException("connection closed during the WebSocket handshake");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
