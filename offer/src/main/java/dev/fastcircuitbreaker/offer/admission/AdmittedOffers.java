package dev.fastcircuitbreaker.offer.admission;

import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.fastcircuitbreaker.offer.ColdOfferConfig;
import dev.fastcircuitbreaker.offer.Offer;
import dev.fastcircuitbreaker.offer.Offers;
import io.smallrye.mutiny.Uni;

/**
 * Each customer takes a turn to call the partner ({@link Admission}), and one that gets none in time is answered a cold
 * offer with the reason {@code offer-busy}. In front of the breaker: offer's own overload never reaches its count.
 */
@Decorator
@Priority(AdmittedOffers.PRIORITY)
public abstract class AdmittedOffers implements Offers {

    /** Inside the circuit's count (10), which counts what this answers too. */
    static final int PRIORITY = 20;

    private static final Logger LOG = Logger.getLogger(AdmittedOffers.class);

    @Inject
    @Delegate
    @Any
    Offers offers;

    @Inject
    Admission admission;

    @Inject
    ColdOfferConfig coldOffer;

    @Override
    public Uni<Offer> offer() {
        return admission.admit(offers::offer).onFailure(Admission.Busy.class).recoverWithItem(this::busy);
    }

    private Offer busy(Throwable shed) {
        LOG.debugf("offer is busy: cold offer without calling the partner (%s)", shed.getMessage());
        return Offer.cold(coldOffer, Offer.Reason.OFFER_BUSY);
    }
}
