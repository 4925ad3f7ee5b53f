package dev.homeport.protocol;

import io.netty.handler.codec.DecoderException;

/** The errors PROTOCOL.md documents for bad input: a {@link ProtocolException}, as thrown or as a decoder wraps it. */
public final class Documented {
    private Documented() {
    }

    public static boolean protocolError(Throwable t) {
        return t instanceof ProtocolException || t instanceof DecoderException d && d.getCause() instanceof ProtocolException;
    }
}
