package dev.fastcircuitbreaker.offer.circuit;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.common.annotation.NonBlocking;

/** {@code GET /circuit}: the circuit breaker's state and counters, read-only; it never calls the partner. */
@Path("/circuit")
public class CircuitResource {

    private final PartnerCircuit circuit;

    CircuitResource(PartnerCircuit circuit) {
        this.circuit = circuit;
    }

    @GET
    @NonBlocking
    @Produces(MediaType.APPLICATION_JSON)
    public PartnerCircuit.Snapshot circuit() {
        return circuit.snapshot();
    }
}
