package dev.fastcircuitbreaker.offer;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/**
 * partner-offer's API as the Quarkus REST client calls it, configured by the {@code quarkus.rest-client.partner-offer.*}
 * keys and injected with {@code @RestClient} into {@link PartnerOfferClient}, which puts the circuit breaker around its
 * calls. Unguarded: never call it directly.
 */
@RegisterRestClient(configKey = "partner-offer")
@Path("/offers")
public interface PartnerOfferRestClient {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Uni<PartnerOffer> offer();
}
