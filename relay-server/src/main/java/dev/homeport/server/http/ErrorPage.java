package dev.homeport.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslHandler;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The relay's own answer when it cannot forward a request: a short HTML page, or JSON
 * ({@code {"error": "...", "status": N}}) for a client that prefers it. It names the host the
 * client asked for and nothing about the relay's insides, and always closes the connection.
 */
final class ErrorPage {
    /** How long the relay goes on reading (and discarding) after its answer, before it closes. */
    static final long LINGER_MILLIS = 1000;

    private ErrorPage() {
    }

    /**
     * Sends the page, then closes gently: output first, so the client reads the whole answer, and the
     * socket a moment later, so input the client is still sending does not turn the close into a
     * reset that could destroy the answer before it is read.
     */
    static void send(Channel channel, HttpResponseStatus status, String message, boolean json) {
        send(channel, status, message, json, "");
    }

    /** As {@link #send(Channel, HttpResponseStatus, String, boolean)}, with more header lines (each ending CRLF), such as a Location. */
    static void send(Channel channel, HttpResponseStatus status, String message, boolean json, String extraHeaders) {
        channel.writeAndFlush(render(channel.alloc(), status, message, json, extraHeaders)).addListener((ChannelFutureListener) f -> {
            Channel ch = f.channel();
            if (!f.isSuccess() || !(ch instanceof DuplexChannel duplex)) {
                ch.close();
                return;
            }
            SslHandler tls = ch.pipeline().get(SslHandler.class);
            if (tls != null) {
                // On HTTPS, close_notify first: the client then knows the answer is whole, not cut off.
                tls.closeOutbound().addListener(done -> closeGently(duplex));
            } else {
                closeGently(duplex);
            }
        });
    }

    private static void closeGently(DuplexChannel duplex) {
        duplex.shutdownOutput();
        if (duplex.isInputShutdown()) {
            duplex.close();
            return;
        }
        duplex.config().setAutoRead(true);
        duplex.eventLoop().schedule(() -> duplex.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The whole response, status line to body, ready for the socket. */
    static ByteBuf render(ByteBufAllocator alloc, HttpResponseStatus status, String message, boolean json) {
        return render(alloc, status, message, json, "");
    }

    static ByteBuf render(ByteBufAllocator alloc, HttpResponseStatus status, String message, boolean json, String extraHeaders) {
        String body;
        String type;
        if (json) {
            type = "application/json";
            body = "{\"error\": \"" + jsonEscape(message) + "\", \"status\": " + status.code() + "}\n";
        } else {
            type = "text/html; charset=utf-8";
            String title = status.code() + " " + htmlEscape(status.reasonPhrase());
            body = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + title + "</title></head>\n"
                    + "<body><h1>" + title + "</h1>\n<p>" + htmlEscape(message) + "</p>\n<hr><p>homeport relay</p></body></html>\n";
        }
        int length = ByteBufUtil.utf8Bytes(body);
        String head = "HTTP/1.1 " + status.code() + " " + status.reasonPhrase() + "\r\n"
                + "Content-Type: " + type + "\r\n"
                + "Content-Length: " + length + "\r\n"
                + "Cache-Control: no-store\r\n"
                + extraHeaders
                + "Connection: close\r\n\r\n";
        ByteBuf out = alloc.buffer(head.length() + length);
        out.writeCharSequence(head, StandardCharsets.US_ASCII);
        out.writeCharSequence(body, StandardCharsets.UTF_8);
        return out;
    }

    /** Whether an Accept header ranks application/json above text/html (a tie goes to HTML, for browsers). */
    static boolean prefersJson(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        return quality(accept, "application", "json") > quality(accept, "text", "html");
    }

    /** The q-value the most specific matching range in {@code accept} gives {@code type/subtype}; 0 if none matches. */
    private static double quality(String accept, String type, String subtype) {
        double best = 0;
        int bestSpecificity = -1;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String media = parts[0].trim().toLowerCase(Locale.ROOT);
            int slash = media.indexOf('/');
            if (slash < 0) {
                continue;
            }
            String t = media.substring(0, slash);
            String s = media.substring(slash + 1);
            int specificity;
            if (t.equals(type) && s.equals(subtype)) {
                specificity = 2;
            } else if (t.equals(type) && s.equals("*")) {
                specificity = 1;
            } else if (t.equals("*") && s.equals("*")) {
                specificity = 0;
            } else {
                continue;
            }
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.startsWith("q=") || p.startsWith("Q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2).trim());
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (specificity > bestSpecificity) {
                bestSpecificity = specificity;
                best = q;
            }
        }
        return best;
    }

    private static String htmlEscape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
