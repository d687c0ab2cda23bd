package dev.fastcircuitbreaker.offer;

import io.smallrye.mutiny.Uni;

/**
 * What a customer asks for: an offer, hot or cold, never an error. {@link OfferResource} serves it; a layer that adds a
 * guarantee around each customer's call (admission, the circuit's view) decorates it (a CDI {@code @Decorator}), so
 * the core knows none of them.
 */
public interface Offers {

    Uni<Offer> offer();
}
