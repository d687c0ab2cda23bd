package dev.fastcircuitbreaker.offer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.rest.client.RestClientBuilder;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.eclipse.microprofile.rest.client.spi.RestClientListener;
import org.jboss.resteasy.reactive.client.api.QuarkusRestClientProperties;
import org.jboss.resteasy.reactive.client.impl.VertxRequestCustomizingClientBuilder;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.TooLongFrameException;
import io.quarkus.arc.Arc;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.spi.VertxThreadFactory;
import io.vertx.core.spi.transport.Transport;

/**
 * The bounds on every exchange of {@link PartnerOfferRestClient} with partner-offer. A partner may misbehave at the
 * socket level, so each exchange is held, on an event loop of its own:
 * <ul>
 * <li><b>memory</b>: an answer declaring more than {@link #MAX_BODY_BYTES} is refused from its headers; a body is
 * counted as it arrives and the exchange reset at the first chunk over the limit (the REST client has that chunk too
 * by then: at most the limit plus one chunk, {@code quarkus.rest-client.partner-offer.max-chunk-size}, is held); an
 * encoded (gzip…) body, a type other than JSON and an error status are refused unread; headers stop at
 * {@link #MAX_HEADER_BYTES};</li>
 * <li><b>time</b>: the whole exchange, not only each read, ends at the timeout in force counted from the call, so a
 * partner dripping one byte at a time cannot keep it going (SmallRye's {@code @Timeout} answers the caller but does not
 * stop the request underneath);</li>
 * <li><b>connections</b>: an exchange that ends early (limit, timeout, error status) resets its request, which closes
 * the connection instead of returning it to the pool, half read.</li>
 * </ul>
 * The REST client has no setting for these. {@link Registration} hands them to its builder as a Vert.x request
 * customizer, which sees each request before the REST client sends it and registers its own handlers first.
 * {@code PartnerOfferBoundsTest} checks each behaviour of Quarkus and Vert.x this relies on.
 */
@Startup
@Singleton
class PartnerOfferBounds {

    /** A hot offer is a few hundred bytes; a partner sending more is broken. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_HEADER_BYTES = 8 * 1024;
    /** The context local holding when the call's exchange must be over, in {@link System#nanoTime()}. */
    static final String DEADLINE = "partner-offer.deadline";
    /** The name of the one thread running every exchange with partner-offer. */
    static final String LOOP_THREAD = "partner-offer-loop";
    /** Vert.x's own share of a loop's time for I/O against its tasks ({@code vertx.nettyIORatio}). */
    private static final int IO_RATIO = 50;

    private final Vertx vertx;
    private final EventLoopGroup ownLoop;
    private final Context loop;
    private final Duration timeout;
    private final int concurrentCalls;

    PartnerOfferBounds(Vertx vertx, PartnerPolicy policy) {
        this.vertx = vertx;
        // One loop for every exchange and its connection: a reset for a body over the limit then always hits the
        // exchange's own connection, never one already back in the pool for the next exchange.
        // A loop of offer's own, serving none of offer's callers: a burst of them cannot delay reading the partner's
        // answer past the timeout. (No public Vert.x API makes a context on such a loop: OfferArchitectureTest.)
        VertxInternal internal = (VertxInternal) vertx;
        this.ownLoop = internal.transport().eventLoopGroup(Transport.IO_EVENT_LOOP_GROUP, 1,
                task -> VertxThreadFactory.INSTANCE.newVertxThread(task, LOOP_THREAD, false,
                        internal.maxEventLoopExecTime(), internal.maxEventLoopExecTimeUnit()),
                IO_RATIO);
        this.loop = internal.createEventLoopContext(ownLoop.next(), internal.getWorkerPool(),
                Thread.currentThread().getContextClassLoader());
        // Closed with Vert.x, after the REST client's connections, which are closed on it.
        internal.addCloseHook(closed -> ownLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                .addListener(done -> closed.complete()));
        // The @Timeout in force: the caller's answer comes from it, and the exchange is let go at the same moment.
        this.timeout = policy.timeout();
        this.concurrentCalls = policy.concurrentCalls();
    }

    /**
     * Has Quarkus build the REST client (and the JSON mapper it reads with) at start, not on the event loop of the first
     * call, where it would hold up every call on that loop for as long as it takes.
     */
    void buildTheClient(@Observes StartupEvent start, @RestClient PartnerOfferRestClient client, ObjectMapper json) {
    }

    /**
     * The REST client's {@code call}, made on the partner's event loop, its exchange over within the timeout from now;
     * the outcome comes back on the caller's loop, where SmallRye's timeout timer fires too, so an outcome that arrived
     * in time is ahead of the timer there.
     */
    <T> Uni<T> exchange(Supplier<Uni<T>> call) {
        return Uni.createFrom().deferred(() -> {
            Context caller = Vertx.currentContext();
            Context exchange = VertxContext.createNewDuplicatedContext(loop);
            exchange.putLocal(DEADLINE, System.nanoTime() + timeout.toNanos());
            Uni<T> exchanged = call.get().runSubscriptionOn(task -> exchange.runOnContext(start -> task.run()));
            return caller == null ? exchanged : exchanged.emitOn(task -> caller.runOnContext(back -> task.run()));
        });
    }

    /** Called by the REST client on the exchange's context, with the request in hand (connected), before it is sent. */
    void bound(HttpClientRequest request) {
        Context context = Vertx.currentContext();
        Long deadline = context == null ? null : context.getLocal(DEADLINE);
        long millisLeft = deadline == null ? timeout.toMillis() : (deadline - System.nanoTime()) / 1_000_000;
        new Exchange(request, Math.max(1, millisLeft));
    }

    /** One request to the partner and its answer, until it ends one way or the other; only ever on the partner's loop. */
    private final class Exchange {

        private final HttpClientRequest request;
        private final long deadline;
        private long received;
        // Read to its end, failed or reset: the connection is no longer this exchange's to reset.
        private boolean over;

        Exchange(HttpClientRequest request, long millisLeft) {
            this.request = request;
            // Headers over the limit fail the connection, whose handler hears of it before the REST client does (which
            // would make it a plain IOException). Any other failure of the connection also fails the exchange, which
            // the fallback logs once, in words: without a handler here Vert.x would log it again as an ERROR.
            request.connection().exceptionHandler(this::connectionFailed);
            // Our own reset, or the partner closing early, ends up here too, not as an ERROR in the log.
            request.exceptionHandler(failure -> end());
            deadline = vertx.setTimer(millisLeft, id -> refuse(
                    new TimeoutException("partner-offer did not answer within " + timeout.toMillis() + " ms")));
            request.response().onComplete(answer -> {
                if (answer.succeeded()) {
                    read(answer.result());
                } else {
                    end();
                }
            });
        }

        private void read(HttpClientResponse response) {
            response.exceptionHandler(failure -> end());
            RuntimeException refused = refusal(response);
            if (refused != null) {
                refuse(refused);
                return;
            }
            // Vert.x hands each chunk to this handler before the REST client appends it to the body it collects.
            response.handler(this::count);
            response.end().onComplete(done -> end());
        }

        private void count(Buffer chunk) {
            received += chunk.length();
            if (received > MAX_BODY_BYTES) {
                refuse(badResponse("more than " + MAX_BODY_BYTES + " bytes"));
            }
        }

        private void connectionFailed(Throwable failure) {
            if (failure instanceof TooLongFrameException) {
                refuse(badResponse("headers over " + MAX_HEADER_BYTES + " bytes"));
            }
        }

        /** Ends the exchange early: the REST client fails with {@code cause}, the connection is closed. */
        private void refuse(Throwable cause) {
            if (!over) {
                end();
                request.reset(0, cause);
            }
        }

        private void end() {
            over = true;
            vertx.cancelTimer(deadline);
        }
    }

    /** Why the answer is refused from its status line and headers alone, or null to read its body. */
    private static RuntimeException refusal(HttpClientResponse response) {
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

    private static RuntimeException badResponse(String what) {
        return new BadPartnerResponseException("partner-offer answered " + what);
    }

    /**
     * Hands the bounds to the builder of {@link PartnerOfferRestClient} when Quarkus builds it for injection, once (the
     * client is application scoped), after reading its {@code quarkus.rest-client.partner-offer.*} keys. A MicroProfile
     * REST client listener, found through {@code META-INF/services}.
     */
    @RegisterForReflection
    public static final class Registration implements RestClientListener {

        @Override
        public void onNewClient(Class<?> serviceInterface, RestClientBuilder builder) {
            if (serviceInterface != PartnerOfferRestClient.class) {
                return;
            }
            if (!(builder instanceof VertxRequestCustomizingClientBuilder<?> vertxBuilder)) {
                throw new IllegalStateException("The REST client builder " + builder.getClass().getName()
                        + " takes no Vert.x request customizer: partner-offer's answers would be unbounded");
            }
            PartnerOfferBounds bounds = Arc.container().instance(PartnerOfferBounds.class).get();
            // Getting a connection (from the pool, or a new one) and each read: neither may outlast the whole exchange.
            builder.connectTimeout(bounds.timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .readTimeout(bounds.timeout.toMillis(), TimeUnit.MILLISECONDS);
            // A connection for each call OfferDesk lets through at once: none of them waits for one.
            builder.property(QuarkusRestClientProperties.CONNECTION_POOL_SIZE, bounds.concurrentCalls);
            vertxBuilder.httpClientOptionsCustomizer(options -> options.setMaxHeaderSize(MAX_HEADER_BYTES));
            vertxBuilder.httpClientRequestCustomizer(bounds::bound);
        }
    }

    /** partner-offer answered, but not with something offer can use as a hot offer. */
    static final class BadPartnerResponseException extends RuntimeException {

        BadPartnerResponseException(String message) {
            super(message);
        }
    }

    /** partner-offer answered with an error status. */
    static final class PartnerErrorException extends RuntimeException {

        PartnerErrorException(String message) {
            super(message);
        }
    }
}
