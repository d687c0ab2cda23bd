package dev.fastcircuitbreaker.offer;

import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/**
 * partner-offer's API as the Quarkus REST client calls it, configured by the {@code quarkus.rest-client.partner-offer.*}
 * keys. Unguarded: use {@link PartnerOfferClient}, which puts the circuit breaker around it; {@link PartnerOfferBounds}
 * bounds every exchange it makes.
 */
@RegisterRestClient(configKey = "partner-offer")
// Not the default @ApplicationScoped: its client proxy would build a second client (and a second set of Micrometer gauges).
@Singleton
@Path("/offers")
interface PartnerOfferRestClient {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Uni<PartnerOffer> offer();
}
