package dev.homeport.bench;

/**
 * The far-end protocol spoken by {@code serve}: the first byte a client sends picks the mode.
 * <ul>
 *   <li>{@code 'E'}: echo every following byte back; at the client's half-close, finish echoing and close.</li>
 *   <li>{@code 'S'}: sink. Read and discard; at the client's half-close, reply with the 8-byte big-endian
 *       count of bytes received after the mode byte, then close.</li>
 *   <li>{@code 'G'} + 8-byte big-endian length: generate that many bytes, then close. Input is discarded.</li>
 * </ul>
 * Any other first byte closes the connection.
 */
enum FarEndMode {
    ECHO('E'),
    SINK('S'),
    GENERATE('G');

    /** Bytes after the mode byte that belong to the header ({@code 'G'} carries its length). */
    static final int GENERATE_LENGTH_BYTES = Long.BYTES;

    private final byte code;

    FarEndMode(char code) {
        this.code = (byte) code;
    }

    byte code() {
        return code;
    }

    static FarEndMode of(byte code) {
        for (FarEndMode mode : values()) {
            if (mode.code == code) {
                return mode;
            }
        }
        return null;
    }
}
