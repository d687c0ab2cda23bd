/**
 * Admission: how many customers call the partner at once follows what its calls measure (Netflix's concurrency-limits),
 * and one who gets no turn in time is answered a cold offer, {@code offer-busy}, at once, never counted as a partner
 * failure. Buys hot offers for every customer a healthy partner can serve, and bounded waits past that
 * (bench/ADMISSION.md). Hung on the core as a CDI decorator of {@code Offers}, and a route before it for a flood; without
 * it the core calls the partner for every customer, as the quickstarts do.
 */
package dev.fastcircuitbreaker.offer.admission;
