package dev.homeport.server.tls;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** ClientHello bytes for tests: real ones from the JDK's TLS engine, and hand-made ones with chosen defects. */
final class ClientHellos {
    private ClientHellos() {
    }

    /** The first flight of a JDK TLS client for {@code serverName} ({@code null}: no SNI): one handshake record. */
    static byte[] fromJdk(String serverName) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = serverName == null ? context.createSSLEngine() : context.createSSLEngine(serverName, 443);
        engine.setUseClientMode(true);
        if (serverName != null) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
            engine.setSSLParameters(parameters);
        }
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    /** The same handshake bytes re-framed into records of at most {@code size} bytes of payload each. */
    static byte[] reframed(byte[] records, int size) {
        byte[] handshake = handshakeBytes(records);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < handshake.length; i += size) {
            int n = Math.min(size, handshake.length - i);
            out.write(22);
            out.write(3);
            out.write(1);
            out.write(n >> 8);
            out.write(n);
            out.write(handshake, i, n);
        }
        return out.toByteArray();
    }

    /** The handshake payload of every record, headers stripped. */
    static byte[] handshakeBytes(byte[] records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < records.length; ) {
            int n = (records[i + 3] & 0xFF) << 8 | records[i + 4] & 0xFF;
            out.write(records, i + 5, n);
            i += 5 + n;
        }
        return out.toByteArray();
    }

    /** A minimal TLS 1.2-style ClientHello in one record, with {@code extensions} as given (each already encoded). */
    static byte[] handMade(byte[]... extensions) {
        ByteArrayOutputStream exts = new ByteArrayOutputStream();
        for (byte[] e : extensions) {
            exts.writeBytes(e);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(3);
        body.write(3);
        body.writeBytes(new byte[32]);
        body.write(0); // session id
        body.writeBytes(new byte[] {0, 2, 0x13, 0x01}); // one cipher suite
        body.writeBytes(new byte[] {1, 0}); // null compression
        u16(body, exts.size());
        body.writeBytes(exts.toByteArray());
        return record(handshake(body.toByteArray()));
    }

    static byte[] handshake(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1);
        out.write(body.length >> 16);
        out.write(body.length >> 8);
        out.write(body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    static byte[] record(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {22, 3, 1});
        u16(out, payload.length);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** A server_name extension naming {@code names} as host_name entries. */
    static byte[] serverName(String... names) {
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        for (String name : names) {
            byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
            list.write(0);
            u16(list, n.length);
            list.writeBytes(n);
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        u16(data, list.size());
        data.writeBytes(list.toByteArray());
        return extension(0, data.toByteArray());
    }

    static byte[] extension(int type, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, type);
        u16(out, data.length);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] padding(int bytes) {
        return extension(21, new byte[bytes]);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >> 8);
        out.write(v);
    }
}
