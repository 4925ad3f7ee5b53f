package dev.homeport.client.inspect;

import java.util.List;
import java.util.Map;

/**
 * One request through a tunnel and its response, as the inspector last saw it: an immutable
 * snapshot (the byte arrays are owned by it and never written after). {@code status} is 0 until a
 * response head arrives; {@code durationMs} is -1 until the response ends.
 *
 * @param replayOf the id of the request this one replays, or 0
 * @param kind     {@code http}, or {@code tls} for a passthrough connection, listed with its sizes only
 */
public record Exchange(long id, String tunnel, String kind, long startedAtMillis, String method, String path,
                       int status, String reason, double durationMs,
                       List<Map.Entry<String, String>> requestHeaders, List<Map.Entry<String, String>> responseHeaders,
                       long requestBytes, long responseBytes, byte[] requestPreview, byte[] responsePreview,
                       boolean webSocket, long framesIn, long framesOut, long replayOf, String state) {
    public static final String PENDING = "pending";
    public static final String DONE = "done";
    /** The connection closed before the response ended. */
    public static final String ABORTED = "aborted";

    public String requestHeader(String name) {
        for (Map.Entry<String, String> h : requestHeaders) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    /** Whether the whole request body was kept, so the request can be sent again as it was. */
    public boolean requestComplete() {
        return requestPreview.length == requestBytes;
    }
}
