/**
 * Bounds on a hostile partner: memory, time and connections of each exchange held whatever the partner does at the
 * socket level (docs/hostile-input.md), on event loops of offer's own. Hung on the core as a CDI alternative of the
 * {@code @RestClient PartnerOfferRestClient} bean; without it the core uses the client Quarkus makes.
 */
package dev.fastcircuitbreaker.offer.bounds;
