package dev.fastcircuitbreaker.e2e;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints why a test is skipped (disabled, or aborted by an assumption): Surefire and Failsafe only count skipped tests
 * on the console and keep the reason in their XML reports. Registered in {@code META-INF/services}.
 */
public class SkipReasons implements TestExecutionListener {

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        System.out.println("Skipped " + test.getDisplayName() + ": " + reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            executionSkipped(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }
}
