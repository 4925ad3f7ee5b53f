package dev.homeport.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Netty leak reports in another process's output (a relay or client a test started), for the
 * processes {@link RecordingLeakDetectorFactory} cannot see: their detector only logs. Netty's
 * ResourceLeakDetector logs each report at ERROR as {@code LEAK: <type>.release() was not called ...},
 * then, at PARANOID, the recent access records: on the lines after it, or on the same line with the
 * line breaks escaped as the app's logback.xml writes them (one event per line).
 */
public final class LoggedLeakReports {

    private static final Pattern REPORT = Pattern.compile("LEAK: \\S+\\.release\\(\\) was not called");
    /** A new log event (the app's text format, the tests' logback format, or JSON) ends a multi-line report. */
    private static final Pattern NEXT_EVENT = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}T|\\d{2}:\\d{2}:\\d{2}\\.\\d{3} |\\{)");
    /** Enough for the records of one report at Netty's default of 4 records; the rest adds nothing. */
    private static final int MAX_LINES_PER_REPORT = 80;
    private static final int MAX_REPORTS_QUOTED = 5;

    private LoggedLeakReports() {
    }

    /**
     * Fails if {@code output} holds a leak report.
     *
     * @param process what printed the output, named in the failure message
     */
    public static void assertNone(String process, List<String> output) {
        List<String> reports = in(output);
        if (!reports.isEmpty()) {
            throw new AssertionError(reports.size() + " Netty leak report(s) in the output of " + process
                    + (reports.size() > MAX_REPORTS_QUOTED ? " (the first " + MAX_REPORTS_QUOTED + " quoted)" : "")
                    + ":\n" + String.join("\n\n", reports.subList(0, Math.min(reports.size(), MAX_REPORTS_QUOTED))));
        }
    }

    /** Each report in {@code output}: its LEAK line and the record lines after it, escaped line breaks undone. */
    public static List<String> in(List<String> output) {
        List<String> reports = new ArrayList<>();
        for (int i = 0; i < output.size(); i++) {
            if (!REPORT.matcher(output.get(i)).find()) {
                continue;
            }
            StringBuilder report = new StringBuilder(output.get(i));
            int end = Math.min(output.size(), i + MAX_LINES_PER_REPORT);
            int next = i + 1;
            for (; next < end && !NEXT_EVENT.matcher(output.get(next)).find(); next++) {
                report.append('\n').append(output.get(next));
            }
            reports.add(report.toString().replace("\\n", "\n").replace("\\t", "\t"));
            i = next - 1;
        }
        return reports;
    }
}
