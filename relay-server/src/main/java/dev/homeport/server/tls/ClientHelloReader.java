package dev.homeport.server.tls;

import dev.homeport.server.tunnel.HostName;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the TLS server name (SNI) from the first bytes of a connection without consuming them, so
 * the same bytes can go on to a TLS engine or, untouched, to a tunnel. The ClientHello may be split
 * across any number of TLS records, and the records across any number of reads: each call to
 * {@link #offer} looks only at what arrived since the last. At most {@code limit} bytes (record
 * headers included) are looked at before the hello must be complete; a longer or malformed hello
 * is refused, never guessed at. One reader per connection, on its event loop.
 *
 * <p>Why not Netty's {@code AbstractSniHandler}: its limit counts the ClientHello message only, so a
 * hello cut into one-byte records holds six times that on the wire; it accepts records longer than
 * TLS allows; and on anything it cannot read it goes on without a name (a default certificate),
 * where a relay that routes by name must close. {@code ServerNameSnifferTest} holds each of these.
 */
public final class ClientHelloReader {
    /** Default {@code limit}: a ClientHello with a post-quantum key share is about 1.8 KiB; 16 KiB leaves room for many extensions. */
    public static final int DEFAULT_LIMIT = 16 * 1024;
    private static final int RECORD_HEADER = 5;
    private static final int HANDSHAKE_RECORD = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int MAX_RECORD_PAYLOAD = 1 << 14;
    private static final int SERVER_NAME_EXTENSION = 0;
    private static final int HOST_NAME = 0;

    /** What the bytes so far say. */
    public enum Status { NEED_MORE, SERVER_NAME, NO_SERVER_NAME, MALFORMED, TOO_LONG }

    /** {@code serverName} is set for {@link Status#SERVER_NAME}, {@code reason} for the refusals. */
    public record Outcome(Status status, String serverName, String reason) {
        static final Outcome NEED_MORE = new Outcome(Status.NEED_MORE, null, null);

        static Outcome refused(Status status, String reason) {
            return new Outcome(status, null, reason);
        }
    }

    private final int limit;
    /** Bytes from the start of the connection that belong to complete records already read. */
    private int scanned;
    /** The handshake bytes of those records, headers stripped. */
    private byte[] handshake = new byte[512];
    private int handshakeLength;
    /** The whole ClientHello message's length with its 4-byte header, once known. */
    private int helloLength = -1;
    private Outcome done;

    public ClientHelloReader(int limit) {
        if (limit < 512) {
            throw new IllegalArgumentException("ClientHello limit must be at least 512 bytes, got " + limit);
        }
        this.limit = limit;
    }

    /**
     * @param buffered every byte the connection has sent so far, from its first at {@code readerIndex}; not modified
     * @return {@link Status#NEED_MORE} until the hello is complete, then the same final outcome on every call
     */
    public Outcome offer(ByteBuf buffered) {
        if (done != null) {
            return done;
        }
        Outcome outcome = scan(buffered);
        if (outcome.status() != Status.NEED_MORE) {
            done = outcome;
        }
        return outcome;
    }

    private Outcome scan(ByteBuf in) {
        int start = in.readerIndex();
        int available = in.readableBytes();
        while (true) {
            if (available - scanned < RECORD_HEADER) {
                return needMore(available);
            }
            int at = start + scanned;
            if (in.getUnsignedByte(at) != HANDSHAKE_RECORD || in.getUnsignedByte(at + 1) != 3) {
                return Outcome.refused(Status.MALFORMED, "not a TLS handshake record");
            }
            int length = in.getUnsignedShort(at + 3);
            if (length == 0 || length > MAX_RECORD_PAYLOAD) {
                return Outcome.refused(Status.MALFORMED, "handshake record of " + length + " bytes");
            }
            if (scanned + RECORD_HEADER + length > limit) {
                return Outcome.refused(Status.TOO_LONG, "ClientHello longer than " + limit + " bytes");
            }
            if (available - scanned < RECORD_HEADER + length) {
                return needMore(available);
            }
            append(in, at + RECORD_HEADER, length);
            scanned += RECORD_HEADER + length;
            if (helloLength < 0 && handshakeLength >= 4) {
                if (handshake[0] != CLIENT_HELLO) {
                    return Outcome.refused(Status.MALFORMED, "the first handshake message is not a ClientHello");
                }
                helloLength = 4 + ((handshake[1] & 0xFF) << 16 | (handshake[2] & 0xFF) << 8 | handshake[3] & 0xFF);
                if (helloLength > limit) {
                    return Outcome.refused(Status.TOO_LONG, "ClientHello of " + helloLength + " bytes, longer than " + limit);
                }
            }
            if (helloLength >= 0 && handshakeLength >= helloLength) {
                return parseHello(new Cursor(handshake, 4, helloLength));
            }
        }
    }

    private Outcome needMore(int available) {
        return available >= limit ? Outcome.refused(Status.TOO_LONG, "no complete ClientHello in " + limit + " bytes") : Outcome.NEED_MORE;
    }

    private void append(ByteBuf in, int index, int length) {
        if (handshakeLength + length > handshake.length) {
            handshake = Arrays.copyOf(handshake, Math.min(limit, Math.max(handshake.length * 2, handshakeLength + length)));
        }
        in.getBytes(index, handshake, handshakeLength, length);
        handshakeLength += length;
    }

    /** The ClientHello body (RFC 8446 4.1.2): version, random, session id, cipher suites, compression, extensions. */
    private static Outcome parseHello(Cursor c) {
        try {
            c.skip(2 + 32);
            c.skip(c.u8());
            c.skip(c.u16());
            c.skip(c.u8());
            if (c.remaining() == 0) {
                return Outcome.refused(Status.NO_SERVER_NAME, "no extensions");
            }
            Cursor extensions = c.sub(c.u16());
            if (c.remaining() != 0) {
                return Outcome.refused(Status.MALFORMED, "bytes after the extensions");
            }
            String name = null;
            boolean seen = false;
            while (extensions.remaining() > 0) {
                int type = extensions.u16();
                Cursor data = extensions.sub(extensions.u16());
                if (type != SERVER_NAME_EXTENSION) {
                    continue;
                }
                if (seen) {
                    return Outcome.refused(Status.MALFORMED, "two server_name extensions");
                }
                seen = true;
                name = hostName(data);
            }
            if (name == null) {
                return Outcome.refused(Status.NO_SERVER_NAME, "no server_name extension");
            }
            String canonical = HostName.canonical(name);
            if (!canonical.equals(name.toLowerCase(java.util.Locale.ROOT)) || !HostName.isValid(canonical)) {
                return Outcome.refused(Status.MALFORMED, "server name is not a host name");
            }
            return new Outcome(Status.SERVER_NAME, canonical, null);
        } catch (IndexOutOfBoundsException e) {
            return Outcome.refused(Status.MALFORMED, "ClientHello field overruns its message");
        }
    }

    /** The host_name entry of a server_name extension (RFC 6066 3), or {@code null} if it has none. */
    private static String hostName(Cursor data) {
        Cursor list = data.sub(data.u16());
        if (data.remaining() != 0 || list.remaining() == 0) {
            throw new IndexOutOfBoundsException();
        }
        String found = null;
        while (list.remaining() > 0) {
            int type = list.u8();
            int length = list.u16();
            if (type == HOST_NAME) {
                if (found != null || length == 0) {
                    throw new IndexOutOfBoundsException(); // at most one name of a type, and not an empty one
                }
                found = list.ascii(length);
            } else {
                list.skip(length);
            }
        }
        return found;
    }

    /** Bounds-checked reads inside {@code [position, end)}; overruns throw IndexOutOfBoundsException. */
    private static final class Cursor {
        private final byte[] bytes;
        private int position;
        private final int end;

        Cursor(byte[] bytes, int position, int end) {
            this.bytes = bytes;
            this.position = position;
            this.end = end;
        }

        int remaining() {
            return end - position;
        }

        void skip(int n) {
            if (n > remaining()) {
                throw new IndexOutOfBoundsException();
            }
            position += n;
        }

        int u8() {
            skip(1);
            return bytes[position - 1] & 0xFF;
        }

        int u16() {
            skip(2);
            return (bytes[position - 2] & 0xFF) << 8 | bytes[position - 1] & 0xFF;
        }

        Cursor sub(int length) {
            skip(length);
            return new Cursor(bytes, position - length, position);
        }

        /** A name in printable ASCII; anything else makes it no host name at all. */
        String ascii(int length) {
            skip(length);
            for (int i = position - length; i < position; i++) {
                if (bytes[i] <= 0x20 || bytes[i] >= 0x7F) {
                    return "\u0000";
                }
            }
            return new String(bytes, position - length, length, StandardCharsets.US_ASCII);
        }
    }
}
