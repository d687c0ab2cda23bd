package dev.fastcircuitbreaker.offer;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.Fallback;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Where each caller asks for an offer: at most {@code @Bulkhead.value} calls go to the partner at once, and a caller
 * over that limit gets a cold offer at once, with the reason {@code offer-busy}. Offer's own overload is no
 * failure of the partner's: this limit sits in front of the breaker, so what it turns away never reaches its count.
 * (On {@link PartnerOfferClient#hotOffer()} itself a bulkhead would be inside the breaker, its rejections counted as
 * failures.) The REST client's connection pool is as big as the limit (PartnerOfferBounds), so no call within it waits
 * for a connection.
 */
@ApplicationScoped
public class OfferService {

    private static final Logger LOG = Logger.getLogger(OfferService.class);

    private final PartnerOfferClient partnerOfferClient;
    private final PartnerCircuit circuit;
    private final ColdOfferConfig coldOffer;

    OfferService(PartnerOfferClient partnerOfferClient, PartnerCircuit circuit, ColdOfferConfig coldOffer) {
        this.partnerOfferClient = partnerOfferClient;
        this.circuit = circuit;
        this.coldOffer = coldOffer;
    }

    /**
     * The partner's offer through its breaker, or a cold one at once when {@code value} calls are already under way.
     * The queue is the least a {@link Uni} bulkhead takes: a queued call waits before its own timeout starts.
     */
    @Bulkhead(value = 32, waitingTaskQueue = 1)
    @Fallback(fallbackMethod = "busy", applyOn = BulkheadException.class)
    public Uni<Offer> offer() {
        // Counted on what the breaker and its fallback answered: inside the guarded method, an answer just after the
        // timeout would be a success, and to the breaker it is a failure.
        return partnerOfferClient.hotOffer().invoke(circuit::count);
    }

    Uni<Offer> busy(Throwable shed) {
        LOG.debugf("offer is busy: cold offer without calling the partner (%s)", shed.getMessage());
        Offer busy = new Offer(coldOffer.id(), Offer.Type.COLD, coldOffer.description(), coldOffer.price(), Offer.Reason.OFFER_BUSY);
        circuit.count(busy);
        return Uni.createFrom().item(busy);
    }
}
