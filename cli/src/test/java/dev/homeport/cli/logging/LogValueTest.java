package dev.homeport.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The fields of a log line, escaped in the one place both formats share. */
class LogValueTest {
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

    @Test
    void aLineBreakInAQuotedFieldIsEscapedAndAQuoteCannotCloseIt() {
        assertThat(message("event=client_connected agent=\"{}\" session={}", "evil\" forged=1\nevent=forged", 7))
                .isEqualTo("event=client_connected agent=\"evil\\\" forged=1\\nevent=forged\" session=7");
    }

    @Test
    void anUnquotedStringThatWouldAddFieldsIsQuotedAndASimpleOneIsLeftAlone() {
        assertThat(message("event=bind name={} host={}", "a b=c", "jupyter.example.com"))
                .isEqualTo("event=bind name=\"a b=c\" host=jupyter.example.com");
        assertThat(LogValue.of("plain")).isEqualTo("plain");
        assertThat(LogValue.of("two words")).isEqualTo("\"two words\"");
    }

    @Test
    void terminalEscapesCarriageReturnsAndUnicodeLineAndBidiControlsAreEscapedInObjectsToo() {
        Object rendered = new Object() {
            @Override
            public String toString() {
                return "tunnel=t\r\u001b[2J\u2028\u202e\u0085";
            }
        };
        assertThat(message("event=x {}", rendered)).isEqualTo("event=x tunnel=t\\r\\u001b[2J\\u2028\\u202e\\u0085");
        assertThat(message("event=x path={}", Path.of("/tmp/a b"))).as("an object renders itself").isEqualTo("event=x path=/tmp/a b");
    }

    @Test
    void slf4jPlaceholdersAndTheirEscapesKeepTheirMeaning() {
        assertThat(message("a={} b=\\{} c={}", 1, 2)).isEqualTo("a=1 b={} c=2");
        assertThat(message("a={} b={}", 1)).isEqualTo("a=1 b={}");
        assertThat(message("a={}", 1, 2)).isEqualTo("a=1");
        assertThat(message("no fields\nhere")).isEqualTo("no fields\\nhere");
    }

    @Test
    void theJsonEncoderWritesOneLineWithTheEscapedMessage() {
        EscapedJsonEncoder encoder = new EscapedJsonEncoder();
        encoder.setContext(context);
        encoder.setWithMessage(false); // as logback.xml sets it
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        String json = new String(encoder.encode(event("agent=\"{}\"", "x\nevent=forged")), StandardCharsets.UTF_8);

        assertThat(json.strip()).doesNotContain("\n");
        assertThat(json).contains("\"formattedMessage\":\"agent=\\\"x\\\\nevent=forged\\\"\"");
    }

    private String message(String pattern, Object... args) {
        return LogValue.message(event(pattern, args));
    }

    private LoggingEvent event(String pattern, Object... args) {
        return new LoggingEvent(LogValueTest.class.getName(), context.getLogger("test"), Level.INFO, pattern, null, args);
    }
}
