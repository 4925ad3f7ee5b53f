package dev.homeport.testsupport;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The lines as Netty 4.2's ResourceLeakDetector logs them through the app's logback.xml, in text and JSON. */
class LoggedLeakReportsTest {
    private static final List<String> TEXT_REPORT = List.of(
            "2026-12-07T20:50:01.123Z INFO  HomeportServerCommand event=listening",
            "2026-12-07T20:50:02.456Z ERROR ResourceLeakDetector LEAK: ByteBuf.release() was not called before it's"
                    + " garbage-collected. See https://netty.io/wiki/reference-counted-objects.html for more information.",
            "Recent access records: ",
            "#1:",
            "\tio.netty.buffer.AdvancedLeakAwareByteBuf.writeLong(AdvancedLeakAwareByteBuf.java:614)",
            "\tdev.homeport.server.tcp.PublicTcpHandler.channelRead(PublicTcpHandler.java:42)",
            "Created at:",
            "\tio.netty.buffer.PooledByteBufAllocator.newDirectBuffer(PooledByteBufAllocator.java:410)",
            "2026-12-07T20:50:03.000Z INFO  HomeportServerCommand event=stopped");

    @Test
    void outputWithoutAReportPasses() {
        assertDoesNotThrow(() -> LoggedLeakReports.assertNone("relay", List.of(
                "homeport relay listening on 127.0.0.1:7700",
                // Netty's other LEAK warning, about timers rather than an unreleased buffer
                "2026-12-07T20:50:02.456Z ERROR HashedWheelTimer LEAK: You are creating too many HashedWheelTimer instances.")));
    }

    @Test
    void aTextReportFailsAndIsQuotedWithItsRecordsUpToTheNextLogEvent() {
        AssertionError failure = assertThrows(AssertionError.class, () -> LoggedLeakReports.assertNone("relay 2", TEXT_REPORT));

        assertTrue(failure.getMessage().startsWith("1 Netty leak report(s) in the output of relay 2:"), failure.getMessage());
        assertTrue(failure.getMessage().contains("PublicTcpHandler.channelRead"), failure.getMessage());
        assertTrue(failure.getMessage().contains("Created at:"), failure.getMessage());
        assertTrue(!failure.getMessage().contains("event=stopped") && !failure.getMessage().contains("event=listening"),
                failure.getMessage());
    }

    @Test
    void aReportOnOneLineWithEscapedLineBreaksIsQuotedWithTheBreaksRestored() {
        List<String> reports = LoggedLeakReports.in(List.of("2026-12-07T20:53:04.719Z ERROR ResourceLeakDetector LEAK:"
                + " ByteBuf.release() was not called before it's garbage-collected.\\nRecent access records: \\n#1:"
                + "\\n\\tdev.homeport.e2e.LeakingMain.leak(LeakingMain.java:26)",
                "2026-12-07T20:53:04.725Z INFO  HomeportServerCommand event=stopped"));

        assertEquals(List.of("2026-12-07T20:53:04.719Z ERROR ResourceLeakDetector LEAK: ByteBuf.release() was not called"
                + " before it's garbage-collected.\nRecent access records: \n#1:\n\tdev.homeport.e2e.LeakingMain.leak"
                + "(LeakingMain.java:26)"), reports);
    }

    @Test
    void eachJsonLineIsAReportOfItsOwn() {
        String json = "{\"@timestamp\":\"2026-12-07T20:50:02.456Z\",\"level\":\"ERROR\",\"logger_name\":"
                + "\"io.netty.util.ResourceLeakDetector\",\"message\":\"LEAK: ByteBuf.release() was not called before"
                + " it's garbage-collected.\\nRecent access records: \\n#1:\\n\\tdev.homeport.X.y(X.java:1)\"}";

        assertEquals(2, LoggedLeakReports.in(List.of(json, json)).size());
    }

    @Test
    void anUntracedReportCountsToo() {
        List<String> reports = LoggedLeakReports.in(List.of("12:00:00.000 ERROR [main] i.n.u.ResourceLeakDetector LEAK:"
                + " ByteBuf.release() was not called before it's garbage-collected. Enable advanced leak reporting to"
                + " find out where the leak occurred."));

        assertEquals(1, reports.size());
    }
}
