package dev.fastcircuitbreaker.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** The demo as a user plays it with docker-compose.yml: its ports and policy (the annotations'), the monitoror container. */
@Order(2)
@EnabledIfSystemProperty(named = "e2e.docker", matches = "true",
        disabledReason = "the docker compose demo runs with -De2e.docker=true, on a Docker engine (docs/testing.md)")
class ComposeDemoIT extends DemoScenario {

    private static final Duration COMMAND = Duration.ofMinutes(2);
    private static final String MONITOROR_IMAGE = System.getenv("MONITOROR_IMAGE");

    private final Thread downOnInterrupt = new Thread(this::down);

    /** A stopped container's name no longer resolves: a timeout (yellow) to Monitoror, and to offer when Docker's DNS is slow. */
    ComposeDemoIT() {
        super("compose", new Policy(3, 15, 1000), "warning timeout/host unreachable", "partner-unreachable", "timeout");
    }

    @BeforeAll
    void up() {
        // The native override must be valid too.
        Compose.run(COMMAND, "config", "-q");
        Compose.run(COMMAND, "-f", Compose.ROOT.resolve("docker-compose.native.yml").toString(), "config", "-q");
        Runtime.getRuntime().addShutdownHook(downOnInterrupt);
        // The board needs an image: MONITOROR_IMAGE's (.ci/run builds it from the release's executable, web UI
        // included), as no registry here serves monitoror/monitoror:4.0.1.
        List<String> up = new ArrayList<>(List.of("up", "--build", "--wait"));
        if (MONITOROR_IMAGE == null) {
            up.addAll(List.of("partner-offer", "offer"));
        }
        Compose.Images.built();
        step("docker compose " + String.join(" ", up));
        Compose.run(Duration.ofMinutes(15), up.toArray(String[]::new));
        offerUrl = published("offer", 8080);
        partnerUrl = published("partner-offer", 8081);
    }

    @AfterAll
    void tearDown() {
        down();
        Runtime.getRuntime().removeShutdownHook(downOnInterrupt);
    }

    private void down() {
        Compose.run(COMMAND, "down", "--remove-orphans");
    }

    /** Where compose published a service's port: 127.0.0.1:8080 and :8081 unless OFFER_PORT, PARTNER_OFFER_PORT say. */
    private String published(String service, int port) {
        String[] lines = Compose.run(COMMAND, "port", service, Integer.toString(port)).strip().split("\\R");
        return "http://" + lines[lines.length - 1].strip();
    }

    @Override
    Monitoror openMonitoror() {
        return MONITOROR_IMAGE != null ? new Monitoror(published("monitoror", 8080))
                : SkipReasons.skipOutsideCi("no Monitoror image: MONITOROR_IMAGE=$(monitoror/build.sh --image) sets one");
    }

    /** Back once ready on its published port, as a user's curl sees it: Docker's healthcheck, every 2 s, may say so too late. */
    @Override
    void partner(String step) {
        Compose.run(COMMAND, step, "partner-offer");
        if (step.equals("start")) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> given().baseUri(partnerUrl).get("/q/health/ready").statusCode() == 200);
        }
    }

    @Override
    String offerLog() {
        return Compose.run(COMMAND, "logs", "--no-color", "offer");
    }
}
