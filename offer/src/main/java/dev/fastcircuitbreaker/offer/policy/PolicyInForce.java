package dev.fastcircuitbreaker.offer.policy;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.stream.Stream;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import dev.fastcircuitbreaker.offer.PartnerOfferClient;

/**
 * Reads the {@link PartnerPolicy} as SmallRye Fault Tolerance 6.10 applies it, through public APIs only: the annotations
 * on {@link PartnerOfferClient#hotOffer()}, each member overridden by the first of its MicroProfile Config keys that is
 * set, in SmallRye's order (its reference guide, "Configuration"): on the method, then global.
 */
final class PolicyInForce {

    private static final String HOT_OFFER = PartnerOfferClient.class.getName() + "/hotOffer";

    private PolicyInForce() {
    }

    // The method is registered for reflection by the Fault Tolerance extension, as every guarded method is.
    @Produces
    @Singleton
    static PartnerPolicy policy(Config config) throws NoSuchMethodException {
        Method hotOffer = PartnerOfferClient.class.getDeclaredMethod("hotOffer");
        CircuitBreaker breaker = hotOffer.getAnnotation(CircuitBreaker.class);
        Timeout timeout = hotOffer.getAnnotation(Timeout.class);
        double failureRatio = value(config, CircuitBreaker.class, "failureRatio", Double.class, breaker.failureRatio());
        // "failures in a row" is what the window means only when every call in it must have failed.
        if (failureRatio != 1.0) {
            throw new IllegalStateException("PartnerOfferClient#hotOffer needs failureRatio 1.0, not " + failureRatio);
        }
        return new PartnerPolicy(
                value(config, CircuitBreaker.class, "requestVolumeThreshold", Integer.class, breaker.requestVolumeThreshold()),
                failureRatio,
                Duration.of(value(config, CircuitBreaker.class, "delay", Long.class, breaker.delay()),
                        value(config, CircuitBreaker.class, "delayUnit", ChronoUnit.class, breaker.delayUnit())),
                Duration.of(value(config, Timeout.class, "value", Long.class, timeout.value()),
                        value(config, Timeout.class, "unit", ChronoUnit.class, timeout.unit())));
    }

    /**
     * The member's value in force: {@code smallrye.faulttolerance."<class>/hotOffer".circuit-breaker.delay} (Quarkus answers
     * it with its {@code quarkus.fault-tolerance."…"…} key first), {@code <class>/hotOffer/CircuitBreaker/delay}, the same
     * two {@code global}, or else the annotation's. Class-level keys do not apply to an annotation on the method.
     */
    private static <T> T value(Config config, Class<? extends Annotation> annotation, String member, Class<T> type,
            T annotated) {
        String strategy = kebab(annotation.getSimpleName()) + "." + kebab(member);
        String spec = annotation.getSimpleName() + "/" + member;
        return Stream.of("smallrye.faulttolerance.\"" + HOT_OFFER + "\"." + strategy, HOT_OFFER + "/" + spec,
                "smallrye.faulttolerance.global." + strategy, spec)
                .flatMap(key -> config.getOptionalValue(key, type).stream())
                .findFirst().orElse(annotated);
    }

    private static String kebab(String camelCase) {
        return camelCase.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
