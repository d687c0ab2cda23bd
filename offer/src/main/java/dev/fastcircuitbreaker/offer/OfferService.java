package dev.fastcircuitbreaker.offer;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Where each caller asks for an offer: it takes its turn to call the partner ({@link Admission}), and a caller that
 * gets none in time is answered a cold offer with the reason {@code offer-busy}. Offer's own overload is no failure
 * of the partner's: admission sits in front of the breaker, so what it turns away never reaches its count.
 */
@ApplicationScoped
public class OfferService {

    private static final Logger LOG = Logger.getLogger(OfferService.class);

    private final Admission admission;
    private final PartnerOfferClient partnerOfferClient;
    private final PartnerCircuit circuit;
    private final ColdOfferConfig coldOffer;

    OfferService(Admission admission, PartnerOfferClient partnerOfferClient, PartnerCircuit circuit, ColdOfferConfig coldOffer) {
        this.admission = admission;
        this.partnerOfferClient = partnerOfferClient;
        this.circuit = circuit;
        this.coldOffer = coldOffer;
    }

    /** The partner's offer through its breaker, or a cold one when this caller got no turn to call it in time. */
    public Uni<Offer> offer() {
        return admission.admit(partnerOfferClient::hotOffer)
                .onFailure(Admission.Busy.class).recoverWithItem(this::busy)
                // Counted on what the breaker and its fallback answered: inside the guarded method, an answer just after
                // the timeout would be a success, and to the breaker it is a failure.
                .invoke(circuit::count);
    }

    private Offer busy(Throwable shed) {
        LOG.debugf("offer is busy: cold offer without calling the partner (%s)", shed.getMessage());
        return new Offer(coldOffer.id(), Offer.Type.COLD, coldOffer.description(), coldOffer.price(), Offer.Reason.OFFER_BUSY);
    }
}
