package dev.homeport.testsupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leak while it ran. Applied to every test class in
 * every module through Jupiter's extension autodetection, switched on by the
 * junit-platform.properties in this jar. Checked per class, not per test, because forcing
 * detection costs a few garbage collections.
 */
public final class FailOnLeakExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        LeakCheck.assertNoLeaks(context.getRequiredTestClass().getName());
    }
}
