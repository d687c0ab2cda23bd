package dev.fastcircuitbreaker.offer.circuit;

import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;

import dev.fastcircuitbreaker.offer.Offer;
import dev.fastcircuitbreaker.offer.Offers;
import io.smallrye.mutiny.Uni;

/**
 * Counts each customer's answer for the circuit's view ({@link PartnerCircuit#count}). On the answer, not inside the
 * guarded method: there an answer just after the timeout would be a success, and to the breaker it is a failure.
 */
@Decorator
@Priority(CountedOffers.PRIORITY)
public abstract class CountedOffers implements Offers {

    static final int PRIORITY = 10;

    @Inject
    @Delegate
    @Any
    Offers offers;

    @Inject
    PartnerCircuit circuit;

    @Override
    public Uni<Offer> offer() {
        return offers.offer().invoke(circuit::count);
    }
}
