package dev.fastcircuitbreaker.offer;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The HTTP call to partner-offer, unguarded: use {@link PartnerOfferClient}, which puts the circuit breaker around it.
 * <p>
 * A partner may misbehave at the socket level, so every exchange is bounded here, on the event loop:
 * <ul>
 * <li><b>memory</b>: an answer declaring more than {@link #MAX_BODY_BYTES} is refused from its headers, and a body is
 * counted as it arrives and dropped at the first byte over the limit; an encoded (gzip…) body is refused unread;</li>
 * <li><b>time</b>: the whole exchange, not only each read, ends at the timeout in force, so a partner dripping one byte
 * at a time cannot keep it going;</li>
 * <li><b>connections</b>: an exchange that ends early (limit, timeout, cancellation, error status) resets its request, which
 * closes the connection instead of returning it to the pool, half read.</li>
 * </ul>
 * The Quarkus REST client cannot do this: it reads an error status's body, and a {@code Uni<T>}'s body, whole into memory
 * before any filter or interceptor sees it.
 */
@Startup
@ApplicationScoped
class PartnerOfferHttpClient {

    /** A hot offer is a few hundred bytes; a partner sending more is broken. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final Vertx vertx;
    private final Context context;
    private final ObjectMapper json;
    private final HttpClient http;
    private final RequestOptions request;
    private final long timeoutMillis;

    PartnerOfferHttpClient(Vertx vertx, ObjectMapper json, @ConfigProperty(name = "partner-offer.url") URI url,
            PartnerPolicy policy) {
        this.vertx = vertx;
        // Every exchange runs on this one event loop, where its connection lives too, so an answer's chunks reach the
        // handlers below in step with the connection. Started from any other loop, the end of an over-limit body could
        // return the connection to the pool before the handler saw the limit, and its reset would then close the
        // connection under the next exchange.
        this.context = vertx.getOrCreateContext();
        this.json = json;
        // The @Timeout in force: the caller's answer comes from it, and the connection is let go at the same moment.
        this.timeoutMillis = policy.timeout().toMillis();
        this.http = vertx.httpClientBuilder()
                .with(new HttpClientOptions()
                        .setName("partner-offer")
                        .setConnectTimeout((int) timeoutMillis)
                        .setMaxHeaderSize(8 * 1024))
                // Enough for a full load of callers while the partner answers; the breaker keeps them away when it does not.
                .with(new PoolOptions().setHttp1MaxSize(64).setMaxWaitQueueSize(256))
                // A connection's failure (a reset, say) also fails the exchange on it, whose fallback logs it once, in
                // words: without a handler here Vert.x would log it again as an ERROR.
                .withConnectHandler(connection -> connection.exceptionHandler(failure -> {
                }))
                .build();
        this.request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(url.resolve("/offers").toString())
                .putHeader(HttpHeaders.ACCEPT, "application/json")
                // Connection from the pool, then every read: neither may take longer than the whole exchange.
                .setTimeout(timeoutMillis);
    }

    @PreDestroy
    void close() {
        http.close();
    }

    /** The partner's answer, parsed; fails for anything that is not a 2xx JSON body within the bounds above. */
    Uni<PartnerOffer> offer() {
        return Uni.createFrom().emitter(emitter -> context.runOnContext(start -> new Exchange(emitter).start()));
    }

    /** One request to the partner and its answer, until it ends one way or the other. */
    private final class Exchange {

        private final UniEmitter<? super PartnerOffer> emitter;
        private final Buffer body = Buffer.buffer();
        // Set on the event loop, read also by a cancellation that may come from another thread.
        private volatile HttpClientRequest request;
        private volatile boolean ended;
        private long deadline = -1;

        Exchange(UniEmitter<? super PartnerOffer> emitter) {
            this.emitter = emitter;
        }

        void start() {
            emitter.onTermination(this::endEarly);
            deadline = vertx.setTimer(timeoutMillis, id -> fail(
                    new TimeoutException("partner-offer did not answer within " + timeoutMillis + " ms")));
            http.request(PartnerOfferHttpClient.this.request)
                    .compose(sent -> {
                        request = sent;
                        // Our own reset, or the partner closing early, ends up here, not as an ERROR in the log.
                        sent.exceptionHandler(this::fail);
                        if (ended) {
                            sent.reset();
                        }
                        return sent.send();
                    })
                    .onSuccess(this::read)
                    .onFailure(this::fail);
        }

        private void read(HttpClientResponse response) {
            // Our own reset of a refused or abandoned answer ends up here, not as an ERROR in the log.
            response.exceptionHandler(this::fail);
            if (ended) {
                return;
            }
            RuntimeException refused = refusal(response);
            if (refused != null) {
                fail(refused);
                return;
            }
            response.handler(chunk -> {
                if (ended) {
                    return;
                }
                if (body.length() + chunk.length() > MAX_BODY_BYTES) {
                    fail(badResponse("more than " + MAX_BODY_BYTES + " bytes"));
                } else {
                    body.appendBuffer(chunk);
                }
            });
            response.endHandler(end -> complete());
        }

        /** Why the answer is refused from its status line and headers alone, or null to read its body. */
        private RuntimeException refusal(HttpClientResponse response) {
            if (response.statusCode() / 100 != 2) {
                return new PartnerErrorException("partner-offer answered status " + response.statusCode());
            }
            String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
            // Netty has checked that it is a number; one of more than 9 digits is over the limit anyway.
            if (length != null && (length.length() > 9 || Integer.parseInt(length) > MAX_BODY_BYTES)) {
                return badResponse("Content-Length " + length + ", over " + MAX_BODY_BYTES + " bytes");
            }
            String encoding = response.getHeader(HttpHeaders.CONTENT_ENCODING);
            if (encoding != null && !"identity".equalsIgnoreCase(encoding.trim())) {
                return badResponse("a body encoded as " + encoding + ", which it was not asked for");
            }
            String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
            if (type == null || !(type.startsWith("application/json") || type.contains("+json"))) {
                return badResponse("Content-Type " + type + ", not JSON");
            }
            return null;
        }

        private void complete() {
            if (ended) {
                return;
            }
            ended = true;
            vertx.cancelTimer(deadline);
            PartnerOffer offer;
            try {
                offer = body.length() == 0 ? null : json.readValue(body.getBytes(), PartnerOffer.class);
            } catch (IOException e) {
                emitter.fail(e);
                return;
            }
            emitter.complete(offer);
        }

        private void fail(Throwable failure) {
            if (!ended) {
                emitter.fail(failure);
            }
        }

        /** Whatever ended the exchange before its answer was read: let go of the connection, never half read. */
        private void endEarly() {
            if (ended) {
                return;
            }
            ended = true;
            vertx.cancelTimer(deadline);
            if (request != null) {
                request.reset();
            }
        }
    }

    private static RuntimeException badResponse(String what) {
        return new PartnerOfferClient.BadPartnerResponseException("partner-offer answered " + what);
    }

    /** partner-offer answered with an error status. */
    static final class PartnerErrorException extends RuntimeException {

        PartnerErrorException(String message) {
            super(message);
        }
    }
}
