package dev.homeport.protocol.mux;

/**
 * Hears how many bytes a {@link ChannelStreamBridge} moved, once per socket read and once per
 * completed socket write, never per byte, so counting costs nothing on the data path beyond one
 * call per batch. Called on the bridge's event loop; an implementation must be thread-safe when
 * bridges on several loops share it.
 */
public interface StreamTraffic {
    /** Counts nothing: for bridges nobody meters. */
    StreamTraffic NONE = new StreamTraffic() {
        @Override
        public void fromSocket(int bytes) {
        }

        @Override
        public void toSocket(int bytes) {
        }
    };

    /** {@code bytes} were read from the socket and handed to the stream. */
    void fromSocket(int bytes);

    /** {@code bytes} from the stream were written to the socket. */
    void toSocket(int bytes);
}
