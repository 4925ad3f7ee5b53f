package dev.homeport.client.jupyter;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request on its own connection, written byte for byte as a browser would send it to
 * {@code origin} (scheme://host[:port]): the Host header is the public name, not where the socket
 * goes. Host names under {@code .localhost} are dialed on loopback, as browsers do (RFC 6761).
 * Blocking and short: the CLI's one-off check, never on an event loop. Not java.net.http's client:
 * it will not send a Host other than where it connects, nor Connection and Upgrade headers of our own.
 */
final class ProbeRequest {
    /** Longest answer head or body read; Jupyter's answers to the check are far smaller. */
    static final int MAX_RESPONSE_BYTES = 256 * 1024;

    /** Status line, headers (lower-case names; repeated ones joined by "\n") and body. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }

        /** Every Set-Cookie as "name=value", for a Cookie header. */
        List<String> cookies() {
            List<String> out = new ArrayList<>();
            for (String c : header("set-cookie").split("\n")) {
                String pair = c.split(";", 2)[0].trim();
                if (pair.contains("=")) {
                    out.add(pair);
                }
            }
            return out;
        }
    }

    private ProbeRequest() {
    }

    /**
     * Sends {@code method path} with {@code headers} (Host is added) and reads the answer; for a
     * WebSocket upgrade only its head, then the connection is dropped.
     */
    static Response send(URI origin, String method, String path, Map<String, String> headers, String body,
                         Duration timeout) throws IOException {
        boolean tls = "https".equalsIgnoreCase(origin.getScheme());
        int port = origin.getPort() > 0 ? origin.getPort() : tls ? 443 : 80;
        String host = origin.getHost();
        try (Socket socket = connect(host, port, tls, timeout)) {
            socket.setSoTimeout((int) timeout.toMillis());
            StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(origin.getRawAuthority()).append("\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
            }
            boolean upgrade = headers.containsKey("Upgrade");
            if (!upgrade) {
                head.append("Connection: close\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(payload);
            out.flush();
            return read(socket.getInputStream(), upgrade);
        }
    }

    private static Socket connect(String host, int port, boolean tls, Duration timeout) throws IOException {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        InetAddress address = h.equalsIgnoreCase("localhost") || h.toLowerCase(Locale.ROOT).endsWith(".localhost")
                ? InetAddress.getLoopbackAddress() : InetAddress.getByName(h);
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
        if (!tls) {
            return plain;
        }
        SSLSocket s = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, h, port, true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!Character.isDigit(h.charAt(h.length() - 1)) && !h.contains(":")) {
            p.setServerNames(List.of(new SNIHostName(h)));
        }
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    private static Response read(InputStream in, boolean headOnly) throws IOException {
        String statusLine = line(in);
        if (statusLine == null || !statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("not an HTTP answer: " + (statusLine == null ? "connection closed" : statusLine));
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            if (colon > 0) {
                headers.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(),
                        (a, b) -> a + "\n" + b);
            }
        }
        if (headOnly || status == 101 || status == 204 || status == 304) {
            return new Response(status, headers, "");
        }
        byte[] body;
        String length = headers.get("content-length");
        if (length != null) {
            body = in.readNBytes(Math.min(Integer.parseInt(length.trim()), MAX_RESPONSE_BYTES));
        } else if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
            body = dechunk(in);
        } else {
            body = in.readNBytes(MAX_RESPONSE_BYTES);
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String size = line(in); size != null; size = line(in)) {
            int n = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
            if (n == 0 || out.size() + n > MAX_RESPONSE_BYTES) {
                break;
            }
            out.write(in.readNBytes(n));
            line(in);
        }
        return out.toByteArray();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            if (b.size() >= 16 * 1024) {
                throw new IOException("answer line longer than 16 KiB");
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }
}
