/**
 * Readiness after a warm-up: offer reports ready only once it has run, with a stand-in partner on loopback, what its
 * first customers will go through, so a fresh JVM's first answer is as good as its ten-thousandth
 * (bench/FIRST-ANSWER.md). The core runs without it, cold at first.
 */
package dev.fastcircuitbreaker.offer.warmup;
