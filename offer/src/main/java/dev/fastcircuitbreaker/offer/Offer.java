package dev.fastcircuitbreaker.offer;

import java.math.BigDecimal;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What offer answers: the partner's hot offer, or a cold one when the partner could not be used, with the
 * {@code reason} saying why.
 */
@RegisterForReflection
public record Offer(String id, String type, String description, BigDecimal price, String reason) {

    public static final String HOT = "hot";
    public static final String COLD = "cold";

    public static final String PARTNER_ANSWERED = "partner-answered";
    public static final String CIRCUIT_OPEN = "circuit-open";
    /** Offer was already making as many partner calls as it may (OfferDesk): no failure of the partner's. */
    public static final String OFFER_BUSY = "offer-busy";
    public static final String TIMEOUT = "timeout";
    public static final String PARTNER_UNREACHABLE = "partner-unreachable";
    public static final String PARTNER_ERROR = "partner-error";
    public static final String PARTNER_BAD_RESPONSE = "partner-bad-response";

    boolean isHot() {
        return HOT.equals(type);
    }
}
