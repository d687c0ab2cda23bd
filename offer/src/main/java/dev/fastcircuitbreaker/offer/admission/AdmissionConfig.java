package dev.fastcircuitbreaker.offer.admission;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;

/** How {@link Admission} lets calls through to the partner: {@code offer.admission.*} in application.properties. */
@ConfigMapping(prefix = "offer.admission")
public interface AdmissionConfig {

    /** The algorithm that moves the limit with the partner's measured latency. */
    Algorithm algorithm();

    /** The limit of a fresh offer, before any call has been measured. */
    int initialLimit();

    /** The limit's ceiling; the REST client has a connection for each call up to it. */
    int maxLimit();

    /** The longest a caller over the limit waits for a place before it is answered {@code offer-busy}. */
    Duration maxWait();

    enum Algorithm {
        /**
         * TCP's additive increase, multiplicative decrease: one more for each call answered while the limit is in use,
         * a tenth less for each that took three quarters of the timeout or more (bench/ADMISSION.md measures the three).
         */
        AIMD,
        /** Netflix's Gradient2: the limit follows the ratio of the long-term to the recent latency. */
        GRADIENT2,
        /** TCP Vegas: the limit follows the queue estimated from the least latency seen. */
        VEGAS
    }
}
