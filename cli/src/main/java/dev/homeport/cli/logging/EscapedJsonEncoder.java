package dev.homeport.cli.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The JSON format's encoder: logback's own, given a message escaped by {@link LogValue}, so that
 * {@code formattedMessage} holds exactly the fields the key=value format prints.
 */
public class EscapedJsonEncoder extends JsonEncoder {
    @Override
    public byte[] encode(ILoggingEvent event) {
        return super.encode(new EscapedEvent(event, LogValue.message(event)));
    }
}
