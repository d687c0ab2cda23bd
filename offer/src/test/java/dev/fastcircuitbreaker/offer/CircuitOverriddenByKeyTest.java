package dev.fastcircuitbreaker.offer;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(CircuitOverrides.ByKey.class)
@WithTestResource(PartnerDouble.class)
class CircuitOverriddenByKeyTest extends CircuitOverrides {
}
