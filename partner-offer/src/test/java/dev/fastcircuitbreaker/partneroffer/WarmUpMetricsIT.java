package dev.fastcircuitbreaker.partneroffer;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same test against the packaged application: the jar, or the native executable with {@code -Dnative}. */
@QuarkusIntegrationTest
class WarmUpMetricsIT extends WarmUpMetricsTest {
}
