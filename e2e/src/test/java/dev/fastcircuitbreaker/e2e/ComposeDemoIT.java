package dev.fastcircuitbreaker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The scenario as a user plays it with docker-compose.yml: {@code up --build --wait}, then {@code stop}/{@code start} and
 * {@code pause}/{@code unpause} partner-offer, with the compose file's own ports and 15 s delay.
 * Runs with {@code -De2e.docker=true} against a running Docker engine (e2e/docker/engine.sh makes one answer).
 */
@EnabledIfSystemProperty(named = "e2e.docker", matches = "true",
        disabledReason = "the docker compose scenario runs with -De2e.docker=true, on a Docker engine (docs/testing.md)")
class ComposeDemoIT extends PartnerOutageScenario {

    private static final Duration BUILD_AND_START = Duration.ofMinutes(15);
    private static final Duration COMMAND = Duration.ofMinutes(2);
    private static final String MONITOROR_IMAGE = System.getenv("MONITOROR_IMAGE");

    private final Compose compose = Compose.cli();
    private Thread downOnInterrupt;
    private String offerUrl;
    private String partnerUrl;
    private Monitoror monitoror;

    @BeforeAll
    void upPartnerAndOffer() {
        assertTrue(Compose.engineAnswers(), "no Docker engine answers: run e2e/docker/engine.sh first");
        // The native override must be valid too.
        compose.run(COMMAND, "config", "-q");
        compose.run(COMMAND, "-f", Compose.ROOT.resolve("docker-compose.native.yml").toString(), "config", "-q");
        downOnInterrupt = new Thread(this::down);
        Runtime.getRuntime().addShutdownHook(downOnInterrupt);
        // The board only with an image for it: MONITOROR_IMAGE's (.ci/run's: the local one monitoror/build.sh --image
        // builds from the release's executable, web UI included), as no registry serves monitoror/monitoror:4.0.1 here.
        List<String> services = MONITOROR_IMAGE == null ? List.of("partner-offer", "offer") : List.of();
        timeline.step("docker compose up --build --wait " + String.join(" ", services));
        List<String> up = new ArrayList<>(List.of("up", "--build", "--wait"));
        up.addAll(services);
        compose.run(BUILD_AND_START, up.toArray(String[]::new));
        offerUrl = published("offer", 8080);
        partnerUrl = published("partner-offer", 8081);
        // `up --wait`, as ./demo.sh runs it, returns once every container with a healthcheck is healthy: the first
        // customer gets a hot offer.
        timeStartToHealthy("offer");
        OfferClient.Answer first = offer().ask();
        assertEquals("partner-answered", first.reason(), first::toString);
    }

    @AfterAll
    void tearDown() {
        down();
        if (downOnInterrupt != null) {
            Runtime.getRuntime().removeShutdownHook(downOnInterrupt);
        }
    }

    private void down() {
        compose.run(COMMAND, "down", "--remove-orphans");
    }

    /** Where compose published a service's port: 127.0.0.1:8080 and :8081 unless OFFER_PORT, PARTNER_OFFER_PORT say. */
    private String published(String service, int port) {
        String[] lines = compose.run(COMMAND, "port", service, Integer.toString(port)).strip().split("\\R");
        return "http://" + lines[lines.length - 1].strip();
    }

    @Override
    String offerUrl() {
        return offerUrl;
    }

    @Override
    String partnerUrl() {
        return partnerUrl;
    }

    /**
     * The monitoror container, on its published port (127.0.0.1:38080 unless MONITOROR_PORT says). Without
     * MONITOROR_IMAGE the board's test is skipped, except in CI (.ci/run sets it).
     */
    @Override
    Monitoror monitoror() {
        if (MONITOROR_IMAGE == null) {
            SkipReasons.skipOutsideCi("no Monitoror image: MONITOROR_IMAGE is not set (MONITOROR_IMAGE=$(monitoror/build.sh"
                    + " --image), with MONITOROR_BIN or where the Go module proxy serves Monitoror's module)");
        }
        if (monitoror == null) {
            monitoror = Monitoror.at(published("monitoror", 8080));
        }
        return monitoror;
    }

    /**
     * The board as a user opens it from compose: the monitoror container's web UI in headless Chromium, all green, then
     * with partner-offer stopped and the circuit opened by customers, then green again after the trial; each tile's
     * colour and value as the page draws it, and a screenshot of each phase ({@code e2e/target/compose-board-*.png}).
     */
    @Test
    void theBoardPageDrawsTheOutageFromTheMonitororContainer() throws Exception {
        monitoror();
        String page = published("monitoror", 8080) + "/";
        if (!HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(page)).build(), HttpResponse.BodyHandlers.ofString())
                .body().contains("<title>Monitoror</title>")) {
            SkipReasons.skipOutsideCi("the Monitoror image has no web UI (built from the Go module): " + MONITOROR_IMAGE);
        }
        Map<String, String> allUp = Map.of(PARTNER_HEALTH_TILE, "succeeded UP", OFFER_HEALTH_TILE, "succeeded UP",
                OFFER_TILE, "succeeded hot", CIRCUIT_TILE, "succeeded CLOSED", FAILURES_TILE, "succeeded 0",
                SHED_TILE, "succeeded 0", PROBES_TILE, "succeeded 4 / 4");
        // Up to the delay, and the UI's 10 s between two looks at each tile.
        Duration patience = Duration.ofSeconds(delaySeconds() + 30L);
        try (Browser chromium = Browser.start()) {
            chromium.openBoard(page);
            chromium.awaitTiles("all up", patience, allUp);
            chromium.screenshot("compose-board-1-all-up");

            timeline.step("board page: partner-offer stopped");
            stopPartner();
            // The page's own look at the offer tile is a customer's call too: it may be the one that opens the circuit.
            OfferClient customer = offer();
            for (int ask = 0; ask < 2 * failuresToOpen() && !"OPEN".equals(customer.circuit().getString("state")); ask++) {
                OfferClient.Answer answer = customer.ask();
                assertEquals("cold", answer.type(), answer::toString);
            }
            expectCircuit("OPEN", failuresToOpen());
            chromium.driver.navigate().refresh();
            chromium.awaitTiles("the board red, the circuit OPEN", patience, Map.of(
                    PARTNER_HEALTH_TILE, "warning timeout/host unreachable", OFFER_HEALTH_TILE, "succeeded UP",
                    OFFER_TILE, "failed cold", CIRCUIT_TILE, "failed OPEN", FAILURES_TILE, "failed " + failuresToOpen()));
            chromium.screenshot("compose-board-2-open");

            timeline.step("board page: partner-offer started, waiting for the trial after the delay");
            startPartner();
            chromium.awaitTiles("all green again after the trial", patience, allUp);
            chromium.screenshot("compose-board-3-partner-back");
        }
    }

    /** A stopped container's name no longer resolves: Monitoror counts that as a timeout, yellow, not red. */
    @Override
    Monitoror.Tile partnerStopped() {
        return new Monitoror.Tile("WARNING", "timeout/host unreachable", "");
    }

    /** The annotations' policy: docker-compose.yml sets no override. */
    @Override
    int failuresToOpen() {
        return 3;
    }

    @Override
    int delaySeconds() {
        return 15;
    }

    @Override
    int timeoutMillis() {
        return 1000;
    }

    @Override
    void stopPartner() {
        partnerOffer("stop");
    }

    /** Started as a user does, and asked by nobody but offer: Docker's own healthcheck tells when it is ready. */
    @Override
    void startPartner() {
        partnerOffer("start");
        timeStartToHealthy("partner-offer");
    }

    @Override
    void pausePartner() {
        partnerOffer("pause");
    }

    @Override
    void resumePartner() {
        partnerOffer("unpause");
    }

    @Override
    void ensurePartnerRunning() {
        String running = partnerOffer("ps");
        if (running.contains("Paused")) {
            resumePartner();
        } else if (!running.contains("Up")) {
            startPartner();
        }
    }

    /** A stopped container's name stops resolving; Docker's DNS may take longer than the 1 s timeout to say so. */
    @Override
    Set<String> partnerGoneReasons() {
        return Set.of("partner-unreachable", "timeout");
    }

    /**
     * Waits until Docker reports the container healthy (its healthcheck reads {@code /q/health/ready} from inside), and
     * puts in the timeline the time from the container's start ({@code State.StartedAt}) to then. Not asserted.
     */
    private void timeStartToHealthy(String service) {
        String[] ps = compose.run(COMMAND, "ps", "-q", service).strip().split("\n");
        String container = ps[ps.length - 1].strip(); // the id is the last line, after any warning Compose prints
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> "healthy".equals(
                Compose.exec(List.of("docker", "inspect", "-f", "{{.State.Health.Status}}", container), COMMAND).strip()));
        Instant healthy = Instant.now();
        Instant started = Instant.parse(Compose.exec(List.of("docker", "inspect", "-f", "{{.State.StartedAt}}", container), COMMAND).strip());
        timeline.step(String.format("%s container start to healthy: %d ms", service, Duration.between(started, healthy).toMillis()));
    }

    private String partnerOffer(String command) {
        return compose.run(COMMAND, command, "partner-offer");
    }

    @Override
    String offerLog() {
        return compose.run(COMMAND, "logs", "--no-color", "offer");
    }
}
