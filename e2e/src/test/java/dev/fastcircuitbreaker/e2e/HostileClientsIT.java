package dev.fastcircuitbreaker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * offer's own port takes bad clients too, with a small heap: oversized or endless request headers get a 431, a body sent
 * to {@code GET /offers} beyond the limit a 413, idle connections are closed at the idle timeout; and offer keeps serving
 * good clients all along. The limits are the ones in offer's application.properties (docs/hostile-input.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileClientsIT {

    /** {@code quarkus.http.idle-timeout} in offer's application.properties. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
    private static final int IDLE_CONNECTIONS = 200;

    private HostilePartner partner;
    private ServiceProcess offer;
    private OfferClient client;

    @BeforeAll
    void startOfferWithASmallHeap() {
        partner = new HostilePartner(HostilePartner.Behaviour.HEALTHY, 0);
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", partner.url(), "JAVA_TOOL_OPTIONS", "-Xmx64m"));
        client = new OfferClient(offer.url());
        // The very first partner call may take longer than the timeout on a busy machine (a cold JVM).
        await().atMost(Duration.ofSeconds(20)).until(() -> "hot".equals(client.ask().type()));
    }

    @AfterEach
    void offerStillServesGoodClients() {
        expectHotOffer();
        assertFalse(offer.log().contains("OutOfMemoryError"), "offer ran out of memory");
        assertFalse(offer.log().contains("ERROR ["), () -> "offer logged an ERROR:\n" + offer.log());
    }

    @AfterAll
    void stop() throws Exception {
        ServiceProcess.stopAll(offer, partner);
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
            send(socket, "GET /offers HTTP/1.1\r\nHost: offer\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n");
            CompletableFuture<Void> body = writeUntilClosed(socket, "x".repeat(8192));
            assertEquals(413, status(socket));
            body.get();
        }
    }

    @Test
    void closesTheConnectionOfAnEndlessChunkedBodyOnGetOffers() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "GET /offers HTTP/1.1\r\nHost: offer\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            // No length to refuse up front: offer answers (it reads no body) and closes the connection past the limit.
            writeUntilClosed(socket, "2000\r\n" + "x".repeat(0x2000) + "\r\n").get();
        }
    }

    @Test
    void closesIdleConnectionsAtTheIdleTimeout() throws IOException {
        long threadsBefore = offer.threads();
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < IDLE_CONNECTIONS; i++) {
                Socket socket = connect();
                // Half of them start a request and never finish it (slowloris); the others send nothing at all.
                if (i % 2 == 0) {
                    send(socket, "GET /offers HTTP/1.1\r\nHost: offer\r\n");
                }
                idle.add(socket);
            }
            // offer serves others while they hang on.
            expectHotOffer();
            assertTrue(offer.threads() <= threadsBefore + 16, "idle connections take no thread each");

            await().atMost(IDLE_TIMEOUT.plusSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> idle.stream().allMatch(HostileClientsIT::closedByPeer));
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    private void expectHotOffer() {
        OfferClient.Answer answer = client.ask();
        assertEquals(List.of(200, "hot"), List.of(answer.status(), answer.type()), answer::toString);
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(offer.url().replaceAll(".*:", "")));
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
                OutputStream out = socket.getOutputStream();
                while (System.nanoTime() < deadline) {
                    out.write(bytes);
                }
            } catch (IOException e) {
                return; // offer closed the connection
            }
            throw new AssertionError("offer kept reading for as long as its idle timeout");
        });
    }

    /** The status code of the answer on this connection. */
    private static int status(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.append((char) b);
        }
        assertTrue(line.toString().startsWith("HTTP/1.1 "), "status line: " + line);
        return Integer.parseInt(line.substring(9, 12));
    }

    /** True when offer has closed the connection: a read ends instead of waiting. */
    private static boolean closedByPeer(Socket socket) {
        try {
            socket.setSoTimeout(1);
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        } finally {
            try {
                socket.setSoTimeout(15_000);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
