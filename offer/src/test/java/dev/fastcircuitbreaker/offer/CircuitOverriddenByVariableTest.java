package dev.fastcircuitbreaker.offer;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(CircuitOverrides.ByVariable.class)
@WithTestResource(PartnerDouble.class)
class CircuitOverriddenByVariableTest extends CircuitOverrides {
}
