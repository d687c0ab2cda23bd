package dev.fastcircuitbreaker.offer;

import java.math.BigDecimal;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The hot offer as partner-offer sends it. */
@RegisterForReflection
public record PartnerOffer(String id, String type, String description, BigDecimal price) {

    boolean isComplete() {
        return id != null && type != null && description != null && price != null;
    }
}
