package dev.fastcircuitbreaker.offer;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonValue;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What offer answers: the partner's hot offer, or a cold one when the partner could not be used, with the
 * {@code reason} saying why.
 */
@RegisterForReflection
public record Offer(String id, Type type, String description, BigDecimal price, Reason reason) {

    /** Our own offer, for when the partner's cannot be had, and why. */
    public static Offer cold(ColdOfferConfig offer, Reason reason) {
        return new Offer(offer.id(), Type.COLD, offer.description(), offer.price(), reason);
    }

    @RegisterForReflection
    public enum Type {
        HOT,
        COLD;

        @JsonValue
        String json() {
            return name().toLowerCase();
        }
    }

    /** Why offer answered as it did. */
    @RegisterForReflection
    public enum Reason {
        PARTNER_ANSWERED("partner-answered", "partner-offer answered"),
        /** The breaker turned the call away: the partner was not called. */
        CIRCUIT_OPEN("circuit-open", "the circuit is open"),
        /** No turn to call the partner within the longest wait (the admission layer): no failure of the partner's. */
        OFFER_BUSY("offer-busy", "offer is busy"),
        TIMEOUT("timeout", "partner-offer did not answer within the timeout"),
        PARTNER_UNREACHABLE("partner-unreachable", "partner-offer unreachable"),
        PARTNER_ERROR("partner-error", "partner-offer failed"),
        PARTNER_BAD_RESPONSE("partner-bad-response", "partner-offer answered something that is not an offer");

        private final String json;
        private final String words;

        Reason(String json, String words) {
            this.json = json;
            this.words = words;
        }

        @JsonValue
        public String json() {
            return json;
        }

        /** The reason as the log says it: "partner-offer unreachable". */
        public String words() {
            return words;
        }
    }
}
