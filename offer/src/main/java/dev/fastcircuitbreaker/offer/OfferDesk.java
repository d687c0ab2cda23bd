package dev.fastcircuitbreaker.offer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.faulttolerance.Bulkhead;
import org.eclipse.microprofile.faulttolerance.Fallback;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.jboss.logging.Logger;

import io.smallrye.faulttolerance.FaultToleranceOperationProvider;
import io.smallrye.mutiny.Uni;

/**
 * Where each caller asks for an offer: at most {@code @Bulkhead.value} calls go to the partner at once, and a caller
 * over that limit gets a cold offer at once, with the reason {@value Offer#OFFER_BUSY}. Offer's own overload is no
 * failure of the partner's: this limit sits in front of the breaker, so what it turns away never reaches its count.
 * (On {@link PartnerOfferClient#hotOffer()} itself a bulkhead would be inside the breaker, its rejections counted as
 * failures.) The REST client's connection pool is as big as the limit (PartnerOfferBounds), so no call within it waits
 * for a connection.
 */
@ApplicationScoped
public class OfferDesk {

    private static final Logger LOG = Logger.getLogger(OfferDesk.class);

    private final PartnerOfferClient partnerOfferClient;
    private final PartnerCircuit circuit;
    private final ColdOfferConfig coldOffer;

    OfferDesk(PartnerOfferClient partnerOfferClient, PartnerCircuit circuit, ColdOfferConfig coldOffer) {
        this.partnerOfferClient = partnerOfferClient;
        this.circuit = circuit;
        this.coldOffer = coldOffer;
    }

    /**
     * The partner's offer through its breaker, or a cold one at once when {@code value} calls are already under way.
     * For a {@link Uni} the bulkhead also queues {@code waitingTaskQueue} calls, at least 1: the fewest, since a queued
     * call waits for a running one before its own timeout starts.
     */
    @Bulkhead(value = 32, waitingTaskQueue = 1)
    @Fallback(fallbackMethod = "busy", applyOn = BulkheadException.class)
    public Uni<Offer> offer() {
        // Counted on what comes out of the breaker and its fallback, and not inside the guarded method: an answer that
        // arrives just after the timeout would be a success there and a failure to the breaker. Counted here, in the
        // task that answer comes in, before the state change it made is told (PartnerCircuit#reported), and not after
        // this bulkhead, which hands the answer on in a later task.
        return partnerOfferClient.hotOffer().invoke(circuit::count);
    }

    Uni<Offer> busy(Throwable shed) {
        LOG.debugf("offer is busy: cold offer without calling the partner (%s)", shed.getMessage());
        Offer busy = new Offer(coldOffer.id(), Offer.COLD, coldOffer.description(), coldOffer.price(), Offer.OFFER_BUSY);
        circuit.count(busy);
        return Uni.createFrom().item(busy);
    }

    /** The policy in force on the desk and on {@link PartnerOfferClient#hotOffer()}, read where it is written. */
    @Produces
    @Singleton
    static PartnerPolicy policy(FaultToleranceOperationProvider operations) throws NoSuchMethodException {
        // Registered for reflection by the Fault Tolerance extension, as for every guarded method.
        return new PartnerPolicy(
                operations.get(PartnerOfferClient.class, PartnerOfferClient.class.getDeclaredMethod("hotOffer")),
                operations.get(OfferDesk.class, OfferDesk.class.getDeclaredMethod("offer")));
    }
}
