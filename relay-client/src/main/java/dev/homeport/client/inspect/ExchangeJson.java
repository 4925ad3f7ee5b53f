package dev.homeport.client.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The inspector API's JSON for exchanges, with secrets masked unless {@code showSecrets}. */
final class ExchangeJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private final boolean showSecrets;

    ExchangeJson(boolean showSecrets) {
        this.showSecrets = showSecrets;
    }

    ArrayNode list(List<Exchange> exchanges) {
        ArrayNode a = MAPPER.createArrayNode();
        exchanges.forEach(e -> a.add(summary(e)));
        return a;
    }

    ObjectNode summary(Exchange e) {
        ObjectNode o = MAPPER.createObjectNode()
                .put("id", e.id()).put("tunnel", e.tunnel()).put("kind", e.kind()).put("started_at", e.startedAtMillis())
                .put("method", e.method()).put("path", showSecrets ? e.path() : SecretMask.path(e.path()))
                .put("status", e.status()).put("reason", e.reason()).put("duration_ms", e.durationMs())
                .put("request_bytes", e.requestBytes()).put("response_bytes", e.responseBytes())
                .put("websocket", e.webSocket()).put("frames_in", e.framesIn()).put("frames_out", e.framesOut())
                .put("state", e.state());
        if (e.replayOf() != 0) {
            o.put("replay_of", e.replayOf());
        }
        o.set("request_headers", headers(e.requestHeaders()));
        o.set("response_headers", headers(e.responseHeaders()));
        return o;
    }

    ObjectNode detail(Exchange e) {
        ObjectNode o = summary(e);
        o.set("request_body", body(e.requestPreview(), e.requestBytes()));
        o.set("response_body", body(e.responsePreview(), e.responseBytes()));
        return o;
    }

    private ArrayNode headers(List<Map.Entry<String, String>> headers) {
        ArrayNode a = MAPPER.createArrayNode();
        for (Map.Entry<String, String> h : headers) {
            a.addArray().add(h.getKey()).add(showSecrets ? h.getValue() : SecretMask.header(h.getKey(), h.getValue()));
        }
        return a;
    }

    /** Text when the preview is UTF-8 (cut at the limit, so a split last character is allowed), else hex. */
    private static ObjectNode body(byte[] preview, long total) {
        ObjectNode o = MAPPER.createObjectNode().put("bytes", total).put("truncated", preview.length < total);
        String text = utf8(preview, preview.length < total);
        if (text != null) {
            o.put("text", text);
        } else {
            o.put("hex", ByteBufUtil.hexDump(preview));
        }
        return o;
    }

    private static String utf8(byte[] bytes, boolean cut) {
        int end = bytes.length;
        for (int back = 0; cut && back < 3 && end > 0 && (bytes[end - 1] & 0xc0) == 0x80; back++) {
            end--;
        }
        if (cut && end > 0 && (bytes[end - 1] & 0xc0) == 0xc0) {
            end--;
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, end)).toString();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
                    return null;
                }
            }
            return s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
