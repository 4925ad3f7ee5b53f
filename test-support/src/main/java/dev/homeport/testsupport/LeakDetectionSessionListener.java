package dev.homeport.testsupport;

import io.netty.util.ResourceLeakDetector;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Installs {@link RecordingLeakDetectorFactory} when the JUnit launcher session opens, which is
 * before any test class, and so any Netty buffer class, is loaded. Registered through
 * META-INF/services, so Maven and IDE runs both get it.
 */
public final class LeakDetectionSessionListener implements LauncherSessionListener {

    private static final Logger log = LoggerFactory.getLogger(LeakDetectionSessionListener.class);

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        RecordingLeakDetectorFactory.install();
        // Maven passes -Dio.netty.leakDetection.level=paranoid; an IDE run usually does not, and
        // without PARANOID only a sample of buffers is tracked and leaks slip through.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
    }

    // A leak found after the last test class checked can no longer fail a test, but must not go unseen.
    @Override
    public void launcherSessionClosed(LauncherSession session) {
        LeakCheck.forceDetection();
        List<String> leaks = RecordingLeakDetectorFactory.drainReports();
        if (!leaks.isEmpty()) {
            log.error("{} Netty leak(s) reported after the last test class finished:\n{}",
                    leaks.size(), String.join("\n\n", leaks));
        }
    }
}
