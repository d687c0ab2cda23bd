package dev.fastcircuitbreaker.e2e;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints why a test is skipped: Surefire and Failsafe only count skipped tests on the console and keep the reason in
 * their XML reports. Registered in {@code META-INF/services}.
 */
public class SkipReasons implements TestExecutionListener {

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        System.out.println("Skipped " + test.getDisplayName() + ": " + reason);
    }
}
