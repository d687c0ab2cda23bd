/**
 * Clear answers to offer's own clients when they misbehave: a chunked body past the limit cut off, and the errors it
 * answers (404, 405, 406) as short JSON, never a stack trace. Hung on the core through Vert.x route filters and a
 * RESTEasy Reactive exception mapper; the core runs without it, with Quarkus' own answers.
 */
package dev.fastcircuitbreaker.offer.errors;
