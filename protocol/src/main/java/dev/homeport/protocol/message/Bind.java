package dev.homeport.protocol.message;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Objects;

/**
 * Client asks for a tunnel: for {@link #KIND_TCP} a public port (0 means any free one), for
 * {@link #KIND_HTTP} the host name whose requests it serves, for {@link #KIND_TLS} the TLS server
 * name whose connections the relay passes through unopened ({@code port} is then 0).
 * {@code name} is the client's label for the tunnel, used in logs. {@code flags},
 * {@code basicAuth} and {@code allowFrom} are the tunnel's public access rules. {@code instance} names the
 * client process (the same in every session it opens, 0: not told), so that the relay can tell the
 * same client coming back from another client of the token; {@code connection} numbers the client's sessions
 * (1 for its first, one more for each it opens after; 0: not told), so that the relay never lets an older
 * session of the client take a name from a newer one. Flag {@link #FLAG_POOL} asks to share the
 * port or name with the token's other pool clients.
 * Layout: PROTOCOL.md, "BIND", "Tunnels" and "Public access".
 */
public record Bind(int requestId, int kind, int port, String name, String hostname, int flags, String basicAuth,
                   String allowFrom, long instance, long connection) implements ControlMessage {
    public static final int KIND_TCP = 1;
    public static final int KIND_HTTP = 2;
    public static final int KIND_TLS = 3;
    /** HTTP: answer plain-HTTP requests with a redirect to HTTPS, when the relay serves the name over HTTPS. */
    public static final int FLAG_HTTPS_ONLY = 0x1;
    /** Serve the port or host name together with the token's other clients that set it (PROTOCOL.md, "Pools"). */
    public static final int FLAG_POOL = 0x2;

    /** A BIND without a host name, as every TCP tunnel asks. */
    public Bind(int requestId, int kind, int port, String name) {
        this(requestId, kind, port, name, "");
    }

    /** A BIND with no access rules. */
    public Bind(int requestId, int kind, int port, String name, String hostname) {
        this(requestId, kind, port, name, hostname, 0, "", "");
    }

    /** A BIND from a client that does not name its instance. */
    public Bind(int requestId, int kind, int port, String name, String hostname, int flags, String basicAuth, String allowFrom) {
        this(requestId, kind, port, name, hostname, flags, basicAuth, allowFrom, 0);
    }

    /** A BIND from a client that names its instance but does not number its sessions. */
    public Bind(int requestId, int kind, int port, String name, String hostname, int flags, String basicAuth, String allowFrom,
                long instance) {
        this(requestId, kind, port, name, hostname, flags, basicAuth, allowFrom, instance, 0);
    }

    public Bind {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(basicAuth, "basicAuth");
        Objects.requireNonNull(allowFrom, "allowFrom");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        if (flags < 0 || flags > 0xFF) {
            throw new IllegalArgumentException("flags must fit in one byte, got " + flags);
        }
    }

    public boolean httpsOnly() {
        return (flags & FLAG_HTTPS_ONLY) != 0;
    }

    public boolean pool() {
        return (flags & FLAG_POOL) != 0;
    }

    @Override
    public FrameType type() {
        return FrameType.BIND;
    }

    @Override
    public Frame toFrame(ByteBufAllocator alloc, int streamId) {
        ByteBuf out = alloc.buffer(4 + 1 + 2 + Wire.stringBytes(name) + Wire.stringBytes(hostname) + 1
                + Wire.stringBytes(basicAuth) + Wire.stringBytes(allowFrom) + 8 + 8);
        out.writeInt(requestId);
        out.writeByte(kind);
        out.writeShort(port);
        Wire.writeString(out, name);
        Wire.writeString(out, hostname);
        out.writeByte(flags);
        Wire.writeString(out, basicAuth);
        Wire.writeString(out, allowFrom);
        out.writeLong(instance);
        out.writeLong(connection);
        return new Frame(type(), 0, streamId, out);
    }

    /** Reads the payload of a BIND frame; bytes after the known fields are ignored (PROTOCOL.md, "Extensibility"). */
    public static Bind decode(ByteBuf in) {
        Wire.need(in, 4, "BIND", "requestId");
        int requestId = in.readInt();
        Wire.need(in, 1, "BIND", "kind");
        int kind = in.readUnsignedByte();
        Wire.need(in, 2, "BIND", "port");
        int port = in.readUnsignedShort();
        String name = Wire.readString(in, "BIND", "name");
        // Fields appended by later releases: a peer that predates one ends the payload before it.
        String hostname = in.isReadable() ? Wire.readString(in, "BIND", "hostname") : "";
        if (!in.isReadable()) {
            return new Bind(requestId, kind, port, name, hostname);
        }
        int flags = in.readUnsignedByte();
        String basicAuth = Wire.readString(in, "BIND", "basic_auth");
        String allowFrom = Wire.readString(in, "BIND", "allow_from");
        if (!in.isReadable()) {
            return new Bind(requestId, kind, port, name, hostname, flags, basicAuth, allowFrom);
        }
        Wire.need(in, 8, "BIND", "instance");
        long instance = in.readLong();
        if (!in.isReadable()) {
            return new Bind(requestId, kind, port, name, hostname, flags, basicAuth, allowFrom, instance);
        }
        Wire.need(in, 8, "BIND", "connection");
        long connection = in.readLong();
        return new Bind(requestId, kind, port, name, hostname, flags, basicAuth, allowFrom, instance, connection);
    }

    /** Never prints the basic-auth password. */
    @Override
    public String toString() {
        return "Bind[requestId=" + requestId + ", kind=" + kind + ", port=" + port + ", name=" + name + ", hostname=" + hostname
                + ", flags=" + flags + ", basicAuth=" + (basicAuth.isEmpty() ? "none" : "set") + ", allowFrom=" + allowFrom
                + ", instance=" + Long.toHexString(instance) + ", connection=" + connection + "]";
    }
}
