package dev.fastcircuitbreaker.offer.errors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.fastcircuitbreaker.offer.OfferApi;
import dev.fastcircuitbreaker.offer.PackagedOffer;
import dev.fastcircuitbreaker.offer.PartnerDouble;
import dev.fastcircuitbreaker.offer.PartnerDouble.InjectPartnerDouble;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;

/**
 * offer's own port takes bad clients, on the packaged jar with the small heap {@code quarkus.test.arg-line} gives it:
 * oversized or endless request headers get a 431, a body sent to {@code GET /offers} beyond the limit a 413, idle
 * connections are closed at the idle timeout; and offer serves good clients all along (docs/hostile-input.md).
 */
@QuarkusIntegrationTest
@WithTestResource(PartnerDouble.class)
class HostileClientsIT {

    /** {@code quarkus.http.idle-timeout} in application.properties. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

    @InjectPartnerDouble
    WireMockServer partner;

    @BeforeEach
    void offerRunsOnASmallHeapWithAHealthyPartner() {
        assertTrue(PackagedOffer.arguments().contains("-Xmx64m"), () -> "offer runs with -Xmx64m: " + PackagedOffer.arguments());
        OfferApi.closeCircuit(partner);
    }

    @AfterEach
    void offerStillServesGoodClients() {
        OfferApi.expectHotOffer();
        String log = PackagedOffer.log();
        assertFalse(log.contains("OutOfMemoryError"), "offer ran out of memory");
        assertFalse(log.contains("ERROR ["), () -> "offer logged an ERROR:\n" + log);
    }

    @Test
    void refusesAnOversizedRequestHeaderWith431() throws IOException {
        try (Socket socket = connect()) {
            send(socket, "GET /offers HTTP/1.1\r\nHost: offer\r\nX-Big: " + "a".repeat(16 * 1024) + "\r\n\r\n");
            assertEquals(431, status(socket));
        }
    }

    @Test
    void refusesEndlessRequestHeadersWith431AndClosesTheConnection() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "GET /offers HTTP/1.1\r\nHost: offer\r\n");
            CompletableFuture<Void> endless = writeUntilClosed(socket, "X-Filler: " + "a".repeat(100) + "\r\n");
            assertEquals(431, status(socket));
            endless.get();
        }
    }

    @Test
    void refusesALargeBodyOnGetOffersWith413() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "GET /offers HTTP/1.1\r\nHost: offer\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000000\r\n\r\n");
            CompletableFuture<Void> body = writeUntilClosed(socket, "x".repeat(8192));
            assertEquals(413, status(socket));
            body.get();
        }
    }

    @Test
    void closesTheConnectionOfAnEndlessChunkedBodyOnGetOffers() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "GET /offers HTTP/1.1\r\nHost: offer\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            // No length to refuse up front: offer answers (it reads no body) and closes the connection past the limit.
            writeUntilClosed(socket, "2000\r\n" + "x".repeat(0x2000) + "\r\n").get();
        }
    }

    @Test
    void closesIdleConnectionsAtTheIdleTimeoutWithoutAThreadForEach() throws IOException {
        long threadsBefore = PackagedOffer.status("Threads:");
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket socket = connect();
                // Half of them start a request and never finish it (slowloris); the others send nothing at all.
                if (i % 2 == 0) {
                    send(socket, "GET /offers HTTP/1.1\r\nHost: offer\r\n");
                }
                idle.add(socket);
            }
            OfferApi.expectHotOffer();
            assertTrue(PackagedOffer.status("Threads:") <= threadsBefore + 16, "idle connections take no thread each");

            await().atMost(IDLE_TIMEOUT.plusSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> idle.stream().allMatch(HostileClientsIT::closedByOffer));
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), RestAssured.port);
        socket.setSoTimeout(15_000);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Writes {@code text} again and again until offer closes the connection, for no longer than the idle timeout. */
    private static CompletableFuture<Void> writeUntilClosed(Socket socket, String text) {
        return CompletableFuture.runAsync(() -> {
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            long deadline = System.nanoTime() + IDLE_TIMEOUT.toNanos();
            try {
                while (System.nanoTime() < deadline) {
                    socket.getOutputStream().write(bytes);
                }
            } catch (IOException closed) {
                return;
            }
            throw new AssertionError("offer kept reading for as long as its idle timeout");
        });
    }

    /** The status code of the answer on this connection. */
    private static int status(Socket socket) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = socket.getInputStream().read(); b >= 0 && b != '\n'; b = socket.getInputStream().read()) {
            line.append((char) b);
        }
        assertTrue(line.toString().startsWith("HTTP/1.1 "), "status line: " + line);
        return Integer.parseInt(line.substring(9, 12));
    }

    /** True when offer has closed the connection: a read ends at once instead of waiting. */
    private static boolean closedByOffer(Socket socket) {
        try {
            socket.setSoTimeout(1);
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
