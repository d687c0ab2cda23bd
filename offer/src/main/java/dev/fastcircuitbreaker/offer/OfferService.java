package dev.fastcircuitbreaker.offer;

import java.time.Duration;

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
 * <p>
 * SmallRye's least queue for a {@link Uni} bulkhead is one call, and that call's own timeout starts only once it has a
 * place: behind calls to a hanging partner it would wait out their timeout, then its own. A call that waited longer
 * than {@link #LONGEST_WAIT} while the partner is failing is answered {@code offer-busy} instead (docs/hostile-input.md).
 */
@ApplicationScoped
public class OfferService {

    private static final Logger LOG = Logger.getLogger(OfferService.class);

    /** A call may have waited this long for its place and still go to a failing partner: it answers within timeout + this. */
    static final Duration LONGEST_WAIT = Duration.ofMillis(100);

    private final PartnerOfferClient partnerOfferClient;
    private final PartnerCircuit circuit;
    private final ColdOfferConfig coldOffer;

    OfferService(PartnerOfferClient partnerOfferClient, PartnerCircuit circuit, ColdOfferConfig coldOffer) {
        this.partnerOfferClient = partnerOfferClient;
        this.circuit = circuit;
        this.coldOffer = coldOffer;
    }

    /**
     * The partner's offer through its breaker, or a cold one at once when {@code value} calls are already under way, or
     * when this one waited too long for its place.
     *
     * @param askedAt {@link System#nanoTime()} when the caller asked, before the bulkhead
     */
    @Bulkhead(value = 32, waitingTaskQueue = 1)
    @Fallback(fallbackMethod = "busy", applyOn = { BulkheadException.class, WaitedTooLong.class })
    public Uni<Offer> offer(long askedAt) {
        // Only while the partner is failing: under a burst, a fresh offer runs this call long after it was asked, behind
        // its event loop's backlog (bench/ANALYSIS.md, 12-03), and while the partner answers, it still should.
        long waited = System.nanoTime() - askedAt;
        if (waited > LONGEST_WAIT.toNanos() && circuit.failing()) {
            return Uni.createFrom().failure(new WaitedTooLong(Duration.ofNanos(waited)));
        }
        // Counted on what the breaker and its fallback answered: inside the guarded method, an answer just after the
        // timeout would be a success, and to the breaker it is a failure.
        return partnerOfferClient.hotOffer().invoke(circuit::count);
    }

    Uni<Offer> busy(long askedAt, Throwable shed) {
        LOG.debugf("offer is busy: cold offer without calling the partner (%s)", shed.getMessage());
        Offer busy = new Offer(coldOffer.id(), Offer.Type.COLD, coldOffer.description(), coldOffer.price(), Offer.Reason.OFFER_BUSY);
        circuit.count(busy);
        return Uni.createFrom().item(busy);
    }

    /** A call that waited too long for its place while the partner is failing: offer's own state, no partner failure. */
    static final class WaitedTooLong extends RuntimeException {
        WaitedTooLong(Duration waited) {
            super("waited " + waited.toMillis() + " ms for a place while the partner is failing", null, false, false);
        }
    }
}
