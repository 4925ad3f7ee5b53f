package dev.homeport.client.inspect;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The start line and header fields of one HTTP/1.x message, as seen on the wire.
 * For a request the start line parts are method, target, version; for a response version, status, reason.
 */
public record HttpHead(String first, String second, String third, List<Map.Entry<String, String>> headers, int bytes) {
    /** Body framing, per RFC 9112 section 6.3; UPGRADE: after a 101 the connection speaks another protocol. */
    public enum Framing { NONE, LENGTH, CHUNKED, UNTIL_CLOSE, UPGRADE }

    public String header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    public int status() {
        try {
            return Integer.parseInt(second);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** How the body after this head ends; a request without length or chunking has none. */
    public Framing framing(boolean response) {
        String te = header("Transfer-Encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            return Framing.CHUNKED;
        }
        if (contentLength() >= 0) {
            return Framing.LENGTH;
        }
        return response ? Framing.UNTIL_CLOSE : Framing.NONE;
    }

    /** The Content-Length, or -1 when absent or unreadable. */
    public long contentLength() {
        String cl = header("Content-Length");
        if (cl == null) {
            return -1;
        }
        try {
            return Long.parseLong(cl.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
