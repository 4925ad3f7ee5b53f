package dev.homeport.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Pseudo-random bytes for one direction of one stream, reproducible from a seed, and the SHA-256 of
 * what each end wrote or read. Both ends hash independently; equal digests mean every byte arrived,
 * in order, on the right stream.
 */
final class Payload {
    static final int CHUNK = 64 * 1024;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** What crossed one direction of one stream: how many bytes, and their SHA-256. */
    record Transfer(long bytes, String sha256) {
        @Override
        public String toString() {
            return bytes + " bytes sha256=" + sha256.substring(0, 16) + "…";
        }
    }

    private Payload() {
    }

    /** Writes {@code length} bytes generated from {@code seed} in {@link #CHUNK}-sized writes. */
    static Transfer write(OutputStream out, long seed, long length) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[CHUNK];
        long state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        long remaining = length;
        while (remaining > 0) {
            int n = (int) Math.min(CHUNK, remaining);
            for (int i = 0; i < n; i += 8) {
                // xorshift64*: fast, and different on every stream and at every offset
                state ^= state >>> 12;
                state ^= state << 25;
                state ^= state >>> 27;
                long word = state * 0x2545F4914F6CDD1DL;
                if (i + 8 <= n) {
                    LONGS.set(buf, i, word);
                } else {
                    for (int j = i; j < n; j++, word >>>= 8) {
                        buf[j] = (byte) word;
                    }
                }
            }
            out.write(buf, 0, n);
            sha.update(buf, 0, n);
            remaining -= n;
        }
        out.flush();
        return new Transfer(length, HexFormat.of().formatHex(sha.digest()));
    }

    /** Reads until end of stream. */
    static Transfer readToEnd(InputStream in) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[CHUNK];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            sha.update(buf, 0, n);
            total += n;
        }
        return new Transfer(total, HexFormat.of().formatHex(sha.digest()));
    }

    /** Reads {@code length} bytes, or fewer if the stream ends first: a body whose end is not the stream's. */
    static Transfer read(InputStream in, long length) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[CHUNK];
        long total = 0;
        for (int n; total < length && (n = in.read(buf, 0, (int) Math.min(CHUNK, length - total))) >= 0; ) {
            sha.update(buf, 0, n);
            total += n;
        }
        return new Transfer(total, HexFormat.of().formatHex(sha.digest()));
    }

    /** Reads until end of stream in small reads with a pause after each: a reader slower than the tunnel. */
    static Transfer readSlowlyToEnd(InputStream in, Duration pause) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[16 * 1024];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            sha.update(buf, 0, n);
            total += n;
            Await.sleep(pause);
        }
        return new Transfer(total, HexFormat.of().formatHex(sha.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
