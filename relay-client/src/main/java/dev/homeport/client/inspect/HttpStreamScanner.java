package dev.homeport.client.inspect;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Follows one direction of an HTTP/1.x connection without touching its bytes: it reads the buffers
 * in place (indexes only, no reader index moved, nothing retained), copies only each message head,
 * and skips bodies by counting, handing the listener each body span so it can keep a bounded preview.
 * After a 101 it counts WebSocket frames by their headers. What it cannot follow (a head over
 * {@link InspectSettings#MAX_HEAD_BYTES}, a bad chunk size) it stops following; the bytes still pass.
 */
final class HttpStreamScanner {
    /** What the scanner saw; called on the connection's event loop. */
    interface Listener {
        /** A whole head arrived; returns how its body is framed (the scanner's guess is {@code framing}). */
        HttpHead.Framing onHead(HttpHead head, HttpHead.Framing framing);

        /** {@code length} body bytes of the current message at {@code index} of {@code buf}; valid only during the call. */
        void onBody(ByteBuf buf, int index, int length);

        /** The current message ended. */
        void onEnd();

        /** One more WebSocket frame passed, after an upgrade. */
        void onFrame();
    }

    private enum State { HEAD, LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, UPGRADED, LOST }

    private static final int MAX_LINE = 1024;

    private final boolean response;
    private final Listener listener;
    private final WebSocketFrameCounter frames;
    private State state = State.HEAD;
    private byte[] head = new byte[512];
    private int headLength;
    private long remaining;
    private final StringBuilder line = new StringBuilder();

    HttpStreamScanner(boolean response, Listener listener) {
        this.response = response;
        this.listener = listener;
        this.frames = new WebSocketFrameCounter(listener::onFrame);
    }

    /** Looks at the readable bytes of {@code buf}; leaves its indexes and reference count as they were. */
    void scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            switch (state) {
                case HEAD -> i = head(buf, i, end);
                case LENGTH, CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, end - i);
                    listener.onBody(buf, i, n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        if (state == State.LENGTH) {
                            finish();
                        } else {
                            state = State.CHUNK_END;
                        }
                    }
                }
                case CHUNK_SIZE, CHUNK_END, TRAILERS -> i = line(buf, i, end);
                case UNTIL_CLOSE -> {
                    listener.onBody(buf, i, end - i);
                    i = end;
                }
                case UPGRADED -> {
                    frames.scan(buf, i, end);
                    i = end;
                }
                case LOST -> i = end;
            }
        }
    }

    /** The other direction saw a 101: from here on this one carries WebSocket frames too. */
    void upgrade() {
        state = State.UPGRADED;
    }

    /** The connection closed: a body that runs until close ends here. */
    void closed() {
        if (state == State.UNTIL_CLOSE) {
            finish();
        }
    }

    private int head(ByteBuf buf, int i, int end) {
        while (i < end) {
            byte b = buf.getByte(i++);
            if (headLength == 0 && (b == '\r' || b == '\n')) {
                continue; // empty lines before a message are allowed (RFC 9112 section 2.2)
            }
            if (headLength == head.length) {
                if (head.length >= InspectSettings.MAX_HEAD_BYTES) {
                    state = State.LOST;
                    return end;
                }
                head = java.util.Arrays.copyOf(head, Math.min(head.length * 2, InspectSettings.MAX_HEAD_BYTES));
            }
            head[headLength++] = b;
            if (b == '\n' && endsHead()) {
                HttpHead parsed = parse();
                headLength = 0;
                if (parsed == null) {
                    state = State.LOST;
                    return end;
                }
                startBody(parsed);
                return i;
            }
        }
        return i;
    }

    private boolean endsHead() {
        int n = headLength;
        return (n >= 2 && head[n - 2] == '\n') || (n >= 4 && head[n - 2] == '\r' && head[n - 3] == '\n');
    }

    private void startBody(HttpHead parsed) {
        HttpHead.Framing framing = listener.onHead(parsed, parsed.framing(response));
        switch (framing) {
            case NONE -> finish();
            case LENGTH -> {
                remaining = parsed.contentLength();
                state = State.LENGTH;
                if (remaining == 0) {
                    finish();
                }
            }
            case CHUNKED -> state = State.CHUNK_SIZE;
            case UNTIL_CLOSE -> state = State.UNTIL_CLOSE;
            case UPGRADE -> state = State.UPGRADED;
        }
    }

    private void finish() {
        state = State.HEAD;
        listener.onEnd();
    }

    /** Chunk size lines, the CRLF after chunk data, and trailer lines. */
    private int line(ByteBuf buf, int i, int end) {
        while (i < end) {
            byte b = buf.getByte(i++);
            if (b != '\n') {
                if (line.length() >= MAX_LINE) {
                    state = State.LOST;
                    return end;
                }
                line.append((char) (b & 0xff));
                continue;
            }
            String text = line.toString().strip();
            line.setLength(0);
            switch (state) {
                case CHUNK_END -> state = State.CHUNK_SIZE;
                case CHUNK_SIZE -> {
                    int semicolon = text.indexOf(';');
                    try {
                        remaining = Long.parseLong(semicolon < 0 ? text : text.substring(0, semicolon).strip(), 16);
                    } catch (NumberFormatException e) {
                        state = State.LOST;
                        return end;
                    }
                    state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
                }
                case TRAILERS -> {
                    if (text.isEmpty()) {
                        finish();
                    }
                }
                default -> throw new IllegalStateException("not a line state: " + state);
            }
            return i;
        }
        return i;
    }

    private HttpHead parse() {
        String text = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n");
        if (lines.length == 0) {
            return null;
        }
        String[] start = lines[0].split(" ", 3);
        if (start.length < 2) {
            return null;
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(lines.length);
        for (int k = 1; k < lines.length; k++) {
            int colon = lines[k].indexOf(':');
            if (colon > 0) {
                headers.add(Map.entry(lines[k].substring(0, colon).strip(), lines[k].substring(colon + 1).strip()));
            }
        }
        return new HttpHead(start[0], start[1], start.length > 2 ? start[2] : "", List.copyOf(headers), headLength);
    }
}
