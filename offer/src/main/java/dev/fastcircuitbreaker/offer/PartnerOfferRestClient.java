package dev.fastcircuitbreaker.offer;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** The HTTP call to partner-offer, unguarded: use {@link PartnerOfferClient}, which puts the circuit breaker around it. */
@RegisterRestClient(configKey = "partner-offer")
@RegisterProvider(PartnerOfferRestClient.BodySizeLimit.class)
@Path("/offers")
interface PartnerOfferRestClient {

    /** A hot offer is a few hundred bytes; a partner sending more is broken. */
    int MAX_BODY_BYTES = 64 * 1024;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Uni<PartnerOffer> offer();

    /** Refuses an answer longer than {@link #MAX_BODY_BYTES} before it is parsed. */
    class BodySizeLimit implements ReaderInterceptor {

        @Override
        public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
            byte[] body = context.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new PartnerOfferClient.BadPartnerResponseException(
                        "partner-offer answered more than " + MAX_BODY_BYTES + " bytes");
            }
            context.setInputStream(new ByteArrayInputStream(body));
            return context.proceed();
        }
    }
}
