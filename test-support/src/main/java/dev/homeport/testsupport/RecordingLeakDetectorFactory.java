package dev.homeport.testsupport;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Gives Netty leak detectors that remember every leak they report, so a test can fail on a leak
 * instead of only logging it. Netty asks the factory once per resource type, in static
 * initialisers (AbstractByteBuf for buffers), so this must be installed before those run:
 * {@link LeakDetectionSessionListener} does it when the JUnit launcher session opens.
 */
public final class RecordingLeakDetectorFactory extends ResourceLeakDetectorFactory {

    private static final RecordingLeakDetectorFactory INSTANCE = new RecordingLeakDetectorFactory();
    private static final Queue<String> REPORTS = new ConcurrentLinkedQueue<>();

    private final Set<Class<?>> trackedTypes = ConcurrentHashMap.newKeySet();

    private RecordingLeakDetectorFactory() {
    }

    public static synchronized void install() {
        if (ResourceLeakDetectorFactory.instance() != INSTANCE) {
            ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(INSTANCE);
        }
    }

    /** True if Netty's detector for {@code type} came from this factory, i.e. its leaks are recorded. */
    public static boolean tracks(Class<?> type) {
        return INSTANCE.trackedTypes.contains(type);
    }

    /** Returns the leaks reported since the last call and forgets them, so each leak fails one check only. */
    public static List<String> drainReports() {
        List<String> drained = new ArrayList<>();
        for (String report; (report = REPORTS.poll()) != null; ) {
            drained.add(report);
        }
        return drained;
    }

    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
        trackedTypes.add(resource);
        return new RecordingDetector<>(resource, samplingInterval);
    }

    // Still abstract in Netty 4.2, so it must be implemented; maxActive is ignored by Netty too.
    @Deprecated
    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                               long maxActive) {
        return newResourceLeakDetector(resource, samplingInterval);
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {

        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        // Netty skips reporting when its ERROR logging is off; the test must fail regardless.
        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            super.reportTracedLeak(resourceType, records);
            REPORTS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected."
                    + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            super.reportUntracedLeak(resourceType);
            REPORTS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected"
                    + " (no access records: run with -Dio.netty.leakDetection.level=paranoid to see where).");
        }
    }
}
