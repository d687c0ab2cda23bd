package dev.fastcircuitbreaker.offer;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Fallback;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JacksonException;

import io.netty.handler.codec.TooLongFrameException;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.mutiny.Uni;

/** Gets the partner's hot offer through the {@value #CIRCUIT} circuit breaker, and a cold offer when that fails. */
@ApplicationScoped
public class PartnerOfferClient {

    static final String CIRCUIT = "partner-offer";

    private static final Logger LOG = Logger.getLogger(PartnerOfferClient.class);

    private final PartnerOfferHttpClient partner;
    private final ColdOfferConfig coldOffer;

    PartnerOfferClient(PartnerOfferHttpClient partner, ColdOfferConfig coldOffer) {
        this.partner = partner;
        this.coldOffer = coldOffer;
    }

    /**
     * The partner's hot offer, guarded as in the original demo (pybreaker {@code fail_max=3, reset_timeout=15}):
     * after 3 consecutive failed calls the circuit opens and the partner is no longer called; 15 seconds later one
     * trial call is let through, and if it succeeds the circuit closes again, if it fails the circuit stays open for
     * another 15 seconds. A partner that takes longer than 1 second has failed. Whatever goes wrong, including an open
     * circuit, the caller gets {@link #coldOffer(Throwable) a cold offer} instead of an error.
     * <p>
     * {@code failureRatio = 1.0} makes "3 of the last 3 calls failed" the only way to open: with the default 0.5,
     * 2 failures out of 3 would open the circuit, even on a successful call.
     */
    @CircuitBreaker(requestVolumeThreshold = 3, failureRatio = 1.0, delay = 15, delayUnit = ChronoUnit.SECONDS)
    @CircuitBreakerName(CIRCUIT)
    @Timeout(value = 1000, unit = ChronoUnit.MILLIS)
    @Fallback(fallbackMethod = "coldOffer")
    public Uni<Offer> hotOffer() {
        return partner.offer().map(PartnerOfferClient::hot);
    }

    Uni<Offer> coldOffer(Throwable failure) {
        String reason = reasonFor(failure);
        if (failure instanceof CircuitBreakerOpenException) {
            LOG.debugf("Circuit '%s' is open: cold offer without calling the partner", CIRCUIT);
        } else {
            LOG.warnf("Falling back on a cold offer: %s (%s)", reason, failure);
        }
        return Uni.createFrom().item(new Offer(coldOffer.id(), Offer.COLD, coldOffer.description(), coldOffer.price(), reason));
    }

    private static Offer hot(PartnerOffer offer) {
        if (offer == null || !offer.isComplete()) {
            throw new BadPartnerResponseException("partner-offer answered an incomplete offer: " + offer);
        }
        return new Offer(offer.id(), Offer.HOT, offer.description(), offer.price(), Offer.PARTNER_ANSWERED);
    }

    static String reasonFor(Throwable failure) {
        if (failure instanceof CircuitBreakerOpenException) {
            return Offer.CIRCUIT_OPEN;
        }
        if (causedBy(failure, org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException.class,
                java.util.concurrent.TimeoutException.class)) {
            return Offer.TIMEOUT;
        }
        if (causedBy(failure, ConnectException.class, NoRouteToHostException.class, UnknownHostException.class)) {
            return Offer.PARTNER_UNREACHABLE;
        }
        // TooLongFrameException: a status line or headers longer than the HTTP client's limits.
        if (causedBy(failure, JacksonException.class, BadPartnerResponseException.class, TooLongFrameException.class)) {
            return Offer.PARTNER_BAD_RESPONSE;
        }
        return Offer.PARTNER_ERROR;
    }

    @SafeVarargs
    private static boolean causedBy(Throwable failure, Class<? extends Throwable>... types) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            for (Class<? extends Throwable> type : types) {
                if (type.isInstance(cause)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** partner-offer answered, but not with something offer can use as a hot offer. */
    static final class BadPartnerResponseException extends RuntimeException {

        BadPartnerResponseException(String message) {
            super(message);
        }
    }
}
