package dev.fastcircuitbreaker.offer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A WireMock stand-in for partner-offer on a free port, injected into fields marked {@link InjectPartnerDouble}.
 * The port is kept across {@code stop()}/{@code start()}, so a test can make the partner refuse connections and come back.
 */
public class PartnerDouble implements QuarkusTestResourceLifecycleManager {

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectPartnerDouble {
    }

    private WireMockServer server;

    @Override
    public Map<String, String> start() {
        // A thread for each delayed answer, as many as offer's first limit of calls at once and more (FloodTest).
        server = new WireMockServer(options().port(freePort()).bindAddress("127.0.0.1").containerThreads(100));
        server.start();
        serveFirstAnswers();
        return Map.of("quarkus.rest-client.partner-offer.url", server.baseUrl());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(server,
                new TestInjector.AnnotatedAndMatchesType(InjectPartnerDouble.class, WireMockServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    /**
     * A partner that has answered before offer calls it, as a real one has: WireMock's first answers in a JVM load some
     * 400 classes of its own, and on a loaded 2-core CI machine that took a partner's 500 past offer's 1 s timeout.
     * The double answers these to itself, then forgets them: offer and its breaker see none of it.
     */
    private void serveFirstAnswers() {
        for (int status : new int[] { 200, 500, 404, 200, 500, 404 }) {
            server.stubFor(get("/first-answers").willReturn(aResponse().withStatus(status).withBody("first answers")));
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create(server.baseUrl() + "/first-answers").toURL()
                        .openConnection();
                connection.getResponseCode();
                connection.disconnect();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        server.resetAll();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
