package dev.fastcircuitbreaker.partneroffer;

import java.math.BigDecimal;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The offer partner-offer sells: always a hot one. */
@RegisterForReflection
public record Offer(String id, String type, String description, BigDecimal price) {
}
