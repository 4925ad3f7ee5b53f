package dev.homeport.server.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.util.List;

/**
 * What a public request must satisfy before a byte of it is forwarded. The decoder already refuses
 * malformed lines, invalid header names and values, conflicting lengths, and Transfer-Encoding beside
 * Content-Length (RFC 9112); these checks add what a relay in front of an unknown server must also
 * refuse to pass on, so the server behind cannot frame a request differently from the relay
 * (request smuggling).
 */
final class RequestChecks {
    /** Why a request is refused: the status and a reason fit for the public. */
    record Rejection(HttpResponseStatus status, String reason) {
    }

    private RequestChecks() {
    }

    /** @return {@code null} if the request may be forwarded */
    static Rejection check(HttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                return new Rejection(HttpResponseStatus.REQUEST_URI_TOO_LONG, "the request line is too long");
            }
            if (cause instanceof TooLongHttpHeaderException) {
                return new Rejection(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the request headers are too large");
            }
            return new Rejection(HttpResponseStatus.BAD_REQUEST, "the request is malformed");
        }
        HttpHeaders headers = request.headers();
        List<String> encodings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!encodings.isEmpty()) {
            if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                return new Rejection(HttpResponseStatus.BAD_REQUEST, "a request may not carry both Content-Length and Transfer-Encoding");
            }
            if (encodings.size() != 1 || !encodings.get(0).trim().equalsIgnoreCase("chunked")) {
                return new Rejection(HttpResponseStatus.BAD_REQUEST, "Transfer-Encoding must be exactly 'chunked'");
            }
        }
        if (headers.getAll(HttpHeaderNames.CONTENT_LENGTH).size() > 1) {
            return new Rejection(HttpResponseStatus.BAD_REQUEST, "a request may carry one Content-Length only");
        }
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() != 1) {
            return new Rejection(HttpResponseStatus.BAD_REQUEST,
                    hosts.isEmpty() ? "the request has no Host header" : "the request has more than one Host header");
        }
        for (String option : HeaderHygiene.connectionOptions(headers)) {
            if (HeaderHygiene.FRAMING.contains(option)) {
                // Removing it as hop-by-hop would let the service frame or route the request differently.
                return new Rejection(HttpResponseStatus.BAD_REQUEST, "Connection may not name " + option);
            }
        }
        return null;
    }
}
