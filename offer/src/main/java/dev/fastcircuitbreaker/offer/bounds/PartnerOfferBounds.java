package dev.fastcircuitbreaker.offer.bounds;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.client.api.QuarkusRestClientProperties;

import dev.fastcircuitbreaker.offer.PartnerOffer;
import dev.fastcircuitbreaker.offer.PartnerOfferClient;
import dev.fastcircuitbreaker.offer.PartnerOfferRestClient;
import dev.fastcircuitbreaker.offer.policy.PartnerPolicy;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.TooLongFrameException;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.runtime.Startup;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
// No public API gives a Vert.x context on an event loop of one's own that Quarkus' REST client accepts (OfferArchitectureTest).
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.spi.VertxThreadFactory;
import io.vertx.core.spi.transport.Transport;

/**
 * Every exchange of {@link PartnerOfferRestClient} with partner-offer, on event loops of offer's own, and the bounds on
 * it. A partner may misbehave at the socket level, so each exchange is held:
 * <ul>
 * <li><b>memory</b>: an answer declaring more than {@link #MAX_BODY_BYTES} is refused from its headers; a body is
 * counted as it arrives and the exchange reset at the first chunk over the limit (the REST client has that chunk too
 * by then: at most the limit plus one chunk of {@link #MAX_CHUNK_BYTES} is held); an encoded (gzip…) body, a type
 * other than JSON and an error status are refused unread; headers stop at {@link #MAX_HEADER_BYTES};</li>
 * <li><b>time</b>: the whole exchange, not only each read, ends at the timeout in force counted from the call, so a
 * partner dripping one byte at a time cannot keep it going (SmallRye's {@code @Timeout} answers the caller but does not
 * stop the request underneath);</li>
 * <li><b>connections</b>: an exchange that ends early (limit, timeout, error status) resets its request, which closes
 * the connection instead of returning it to the pool, half read.</li>
 * </ul>
 * The REST client has no setting for these: each client is built with them as a Vert.x request customizer, which sees
 * each request before the REST client sends it and registers its own handlers first; the
 * {@code quarkus.rest-client.partner-offer.*} keys it honours are the url, the timeouts and the pool's size. It takes the
 * place of the client Quarkus would inject ({@link #bounded()}): without it, {@link PartnerOfferClient} works the same on
 * Quarkus' own. {@code PartnerOfferBoundsTest} checks each behaviour of Quarkus and Vert.x this relies on.
 */
@Startup
@Singleton
public class PartnerOfferBounds {

    private static final Logger LOG = Logger.getLogger(PartnerOfferBounds.class);

    /** A hot offer is a few hundred bytes; a partner sending more is broken. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_HEADER_BYTES = 8 * 1024;
    /** The most Vert.x reads of a body at once: past {@link #MAX_BODY_BYTES}, at most this much more is held. */
    static final int MAX_CHUNK_BYTES = 8 * 1024;
    /** The context local holding when the call's exchange must be over, in {@link System#nanoTime()}. */
    static final String DEADLINE = "partner-offer.deadline";
    /** The threads of the exchanges with partner-offer: this and the loop's number, short enough for /proc to show whole. */
    static final String LOOP_THREAD = "partner-loop-";
    /** Vert.x's own share of a loop's time for I/O against its tasks ({@code vertx.nettyIORatio}). */
    private static final int IO_RATIO = 50;

    private final Vertx vertx;
    private final List<Context> loops;
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final Duration timeout;
    private final long connectTimeoutMillis;
    private final long readTimeoutMillis;
    private final int poolSize;
    private final Clients partner;

    PartnerOfferBounds(Vertx vertx, PartnerPolicy policy,
            @ConfigProperty(name = "quarkus.rest-client.partner-offer.url") URI partnerUrl,
            @ConfigProperty(name = "quarkus.rest-client.partner-offer.connect-timeout") OptionalLong connectTimeout,
            @ConfigProperty(name = "quarkus.rest-client.partner-offer.read-timeout") OptionalLong readTimeout,
            @ConfigProperty(name = "quarkus.rest-client.partner-offer.connection-pool-size") int poolSize,
            @ConfigProperty(name = "quarkus.http.io-threads") OptionalInt serverLoops) {
        this.vertx = vertx;
        // The @Timeout in force: the caller's answer comes from it, and the exchange is let go at the same moment.
        this.timeout = policy.timeout();
        // The REST client's own keys, as for the client Quarkus would make; unset, neither outlasts the exchange.
        this.connectTimeoutMillis = connectTimeout.orElse(timeout.toMillis());
        this.readTimeoutMillis = readTimeout.orElse(timeout.toMillis());
        this.poolSize = poolSize;
        // As many loops as the HTTP server reads offer's callers on (Quarkus' event loops, or fewer if io-threads
        // says so), none of them one of those: a burst of callers cannot delay reading the partner's answer.
        int quarkusLoops = 0;
        for (var loop : vertx.nettyEventLoopGroup()) {
            quarkusLoops++;
        }
        int count = Math.max(1, Math.min(serverLoops.orElse(quarkusLoops), quarkusLoops));
        VertxInternal internal = (VertxInternal) vertx;
        AtomicInteger threads = new AtomicInteger();
        EventLoopGroup group = internal.transport().eventLoopGroup(Transport.IO_EVENT_LOOP_GROUP, count,
                task -> VertxThreadFactory.INSTANCE.newVertxThread(task, LOOP_THREAD + threads.getAndIncrement(), false,
                        internal.maxEventLoopExecTime(), internal.maxEventLoopExecTimeUnit()),
                IO_RATIO);
        List<Context> contexts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            contexts.add(internal.createEventLoopContext(group.next(), internal.getWorkerPool(),
                    Thread.currentThread().getContextClassLoader()));
        }
        this.loops = List.copyOf(contexts);
        // Closed with Vert.x, after the REST clients' connections, which are closed on it.
        internal.addCloseHook(closed -> group.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                .addListener(done -> closed.complete()));
        this.partner = clients(partnerUrl);
    }

    /**
     * One REST client of {@link PartnerOfferRestClient} for each of the partner's loops, with the bounds: a client's
     * connections are made and read on its loop alone, so a reset for a body over the limit always hits the
     * exchange's own connection, never one already back in the pool for the next exchange.
     */
    public record Clients(List<PartnerOfferRestClient> onEachLoop) implements Closeable {

        @Override
        public void close() {
            for (PartnerOfferRestClient client : onEachLoop) {
                try {
                    ((Closeable) client).close();
                } catch (IOException | RuntimeException e) {
                    LOG.debugf("closing a REST client of partner-offer: %s", e);
                }
            }
        }
    }

    /** REST clients of the partner at {@code url}, bounded; {@link #offer()} uses those of {@code quarkus.rest-client.partner-offer.url}. */
    public Clients clients(URI url) {
        List<PartnerOfferRestClient> clients = new ArrayList<>(loops.size());
        for (int i = 0; i < loops.size(); i++) {
            clients.add(QuarkusRestClientBuilder.newBuilder()
                    .baseUri(url)
                    .connectTimeout(connectTimeoutMillis, TimeUnit.MILLISECONDS)
                    .readTimeout(readTimeoutMillis, TimeUnit.MILLISECONDS)
                    // Each client may need the whole pool: the calls at once may all land on its loop.
                    .property(QuarkusRestClientProperties.CONNECTION_POOL_SIZE, poolSize)
                    .property(QuarkusRestClientProperties.MAX_CHUNK_SIZE, MAX_CHUNK_BYTES)
                    .httpClientOptionsCustomizer(options -> options.setMaxHeaderSize(MAX_HEADER_BYTES))
                    .httpClientRequestCustomizer(this::bound)
                    .build(PartnerOfferRestClient.class));
        }
        return new Clients(List.copyOf(clients));
    }

    /** The partner's hot offer, as it sent it. */
    Uni<PartnerOffer> offer() {
        return exchange(partner, PartnerOfferRestClient::offer);
    }

    /**
     * What {@code @RestClient PartnerOfferRestClient} injects: the same API, each call an {@link #offer() exchange} on
     * these loops with these bounds, in place of the client Quarkus would make (a CDI alternative).
     */
    @Produces
    @RestClient
    @Alternative
    @Priority(1)
    @Singleton
    PartnerOfferRestClient bounded() {
        return this::offer;
    }

    /**
     * {@code call} made with the client of the next of the partner's loops, on that loop, its exchange over within the
     * timeout from now. The outcome stays on that loop: waiting for the caller's loop (busy with a burst of callers) it
     * could come after SmallRye's timeout, which fires on a timer thread of its own.
     */
    public <T> Uni<T> exchange(Clients clients, Function<PartnerOfferRestClient, Uni<T>> call) {
        return Uni.createFrom().deferred(() -> {
            int loop = Math.floorMod(nextLoop.getAndIncrement(), loops.size());
            Context exchange = VertxContext.createNewDuplicatedContext(loops.get(loop));
            exchange.putLocal(DEADLINE, System.nanoTime() + timeout.toNanos());
            return call.apply(clients.onEachLoop().get(loop))
                    .runSubscriptionOn(task -> exchange.runOnContext(start -> task.run()));
        });
    }

    /** How many loops the exchanges are spread over. */
    int loops() {
        return loops.size();
    }

    @PreDestroy
    void closeClients() {
        partner.close();
    }

    /** Called by the REST client on the exchange's context, with the request in hand (connected), before it is sent. */
    void bound(HttpClientRequest request) {
        Context context = Vertx.currentContext();
        Long deadline = context == null ? null : context.getLocal(DEADLINE);
        long millisLeft = deadline == null ? timeout.toMillis() : (deadline - System.nanoTime()) / 1_000_000;
        new Exchange(request, Math.max(1, millisLeft));
    }

    /** One request to the partner and its answer, until it ends one way or the other; only ever on its loop. */
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
        return new PartnerOfferClient.BadPartnerResponseException("partner-offer answered " + what);
    }

    /** partner-offer answered with an error status. */
    static final class PartnerErrorException extends RuntimeException {

        PartnerErrorException(String message) {
            super(message);
        }
    }
}
