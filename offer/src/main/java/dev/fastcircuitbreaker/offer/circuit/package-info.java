/**
 * The circuit as the demo shows it: {@code GET /circuit} (state, consecutive failures, counts, the policy and the
 * limit), its event stream {@code /circuit/events} and the page, the {@code offer.shed} meter. Counts each answer by its
 * reason (a CDI decorator of {@code Offers}) and follows the breaker's state through SmallRye's
 * {@code CircuitBreakerMaintenance}. The core runs without it; its wellness check reads the breaker itself.
 */
package dev.fastcircuitbreaker.offer.circuit;
