package dev.fastcircuitbreaker.partneroffer;

import java.math.BigDecimal;

import io.smallrye.config.ConfigMapping;

/** The hot offer partner-offer answers with: {@code hot-offer.*} in application.properties. */
@ConfigMapping(prefix = "hot-offer")
public interface HotOfferConfig {

    String id();

    String description();

    BigDecimal price();
}
