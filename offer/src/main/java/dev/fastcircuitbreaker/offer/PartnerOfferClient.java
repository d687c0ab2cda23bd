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
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JacksonException;

import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.mutiny.Uni;

/** Gets the partner's hot offer through the {@value #CIRCUIT} circuit breaker, and a cold offer when that fails. */
@ApplicationScoped
public class PartnerOfferClient {

    public static final String CIRCUIT = "partner-offer";

    private static final Logger LOG = Logger.getLogger(PartnerOfferClient.class);

    private final PartnerOfferRestClient partner;
    private final ColdOfferConfig coldOffer;

    PartnerOfferClient(@RestClient PartnerOfferRestClient partner, ColdOfferConfig coldOffer) {
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
     * These numbers are the policy's only home: overrides go through the
     * {@code quarkus.fault-tolerance."dev.fastcircuitbreaker.offer.PartnerOfferClient/hotOffer".…} keys, and
     * the policy layer's {@code PartnerPolicy} is what is in force.
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

    // The fallback sits outside the breaker: it runs once for each call the breaker counted as failed or turned away,
    // and its reason tells which (PartnerCircuit#count).
    Uni<Offer> coldOffer(Throwable failure) {
        Offer.Reason reason = reasonFor(failure);
        if (reason == Offer.Reason.CIRCUIT_OPEN) {
            LOG.debugf("Circuit '%s' is open: cold offer without calling the partner", CIRCUIT);
        } else {
            LOG.warnf("%s; answering a cold offer", describe(reason, failure));
        }
        return Uni.createFrom().item(Offer.cold(coldOffer, reason));
    }

    private static Offer hot(PartnerOffer offer) {
        if (offer == null || !offer.isComplete()) {
            throw new BadPartnerResponseException("partner-offer answered an incomplete offer: " + offer);
        }
        return new Offer(offer.id(), Offer.Type.HOT, offer.description(), offer.price(), Offer.Reason.PARTNER_ANSWERED);
    }

    static Offer.Reason reasonFor(Throwable failure) {
        if (failure instanceof CircuitBreakerOpenException) {
            return Offer.Reason.CIRCUIT_OPEN;
        }
        if (causedBy(failure, org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException.class,
                java.util.concurrent.TimeoutException.class)) {
            return Offer.Reason.TIMEOUT;
        }
        if (causedBy(failure, ConnectException.class, NoRouteToHostException.class, UnknownHostException.class)) {
            return Offer.Reason.PARTNER_UNREACHABLE;
        }
        if (causedBy(failure, JacksonException.class, BadPartnerResponseException.class)) {
            return Offer.Reason.PARTNER_BAD_RESPONSE;
        }
        return Offer.Reason.PARTNER_ERROR;
    }

    /** The failure in words for the log, without exception class names: "partner-offer unreachable: connection refused". */
    private static String describe(Offer.Reason reason, Throwable failure) {
        // A timeout says all there is: the exception's message would only repeat it.
        return reason == Offer.Reason.TIMEOUT ? reason.words() : reason.words() + ": " + detail(failure);
    }

    /** The innermost message, first line only, starting in lower case: "connection refused: localhost/127.0.0.1:8081". */
    private static String detail(Throwable failure) {
        String message = null;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                message = cause.getMessage();
            }
        }
        if (message == null) {
            return "no details";
        }
        String line = message.lines().findFirst().orElse("").strip();
        return line.isEmpty() ? "no details" : Character.toLowerCase(line.charAt(0)) + line.substring(1);
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
    public static final class BadPartnerResponseException extends RuntimeException {

        public BadPartnerResponseException(String message) {
            super(message);
        }
    }
}
