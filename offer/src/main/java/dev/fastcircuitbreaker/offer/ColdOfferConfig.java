package dev.fastcircuitbreaker.offer;

import java.math.BigDecimal;

import io.smallrye.config.ConfigMapping;

/** The cold offer served when the partner cannot be used: {@code cold-offer.*} in application.properties. */
@ConfigMapping(prefix = "cold-offer")
public interface ColdOfferConfig {

    String id();

    String description();

    BigDecimal price();
}
