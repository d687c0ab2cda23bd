package dev.fastcircuitbreaker.partneroffer;

import java.math.BigDecimal;

/** The offer partner-offer sells: always a hot one. */
public record Offer(String id, String type, String description, BigDecimal price) {
}
