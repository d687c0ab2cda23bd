package dev.fastcircuitbreaker.offer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import dev.fastcircuitbreaker.offer.circuit.PartnerCircuit;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;

/** What the tests do with offer and its partner double, in the demo's words. */
public final class OfferApi {

    public static final String HOT_OFFER = """
            {"id":"hot-42","type":"hot","description":"Hot deal from our partner: 50% off today","price":9.99}""";

    private OfferApi() {
    }

    public static void partnerAnswers(WireMockServer partner, ResponseDefinitionBuilder response) {
        partner.resetAll();
        partner.stubFor(get("/offers").willReturn(response));
    }

    public static void partnerIsHealthy(WireMockServer partner) {
        partnerAnswers(partner, okJson(HOT_OFFER));
    }

    public static void partnerFailsWith(WireMockServer partner, int status) {
        partnerAnswers(partner, aResponse().withStatus(status).withBody("partner trouble"));
    }

    public static int partnerRequests(WireMockServer partner) {
        return partner.countRequestsMatching(getRequestedFor(urlEqualTo("/offers")).build()).getCount();
    }

    /** As a load balancer does: callers come once offer reports ready (WarmUp), not as soon as it listens. */
    public static void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    /** Asks offer for an offer: always a 200 with every field set; returns the offer's type. */
    public static ValidatableResponse askOffer() {
        return given().accept("application/json").get("/offers").then()
                .statusCode(200)
                .body("id", notNullValue())
                .body("type", notNullValue())
                .body("description", notNullValue())
                .body("price", notNullValue())
                .body("reason", notNullValue());
    }

    public static void expectHotOffer() {
        askOffer().body("type", equalTo("hot")).body("id", equalTo("hot-42")).body("reason", equalTo("partner-answered"));
    }

    public static void expectColdOffer(String reason) {
        askOffer().body("type", equalTo("cold")).body("id", equalTo("cold-1")).body("reason", equalTo(reason));
    }

    public static JsonPath circuit() {
        return given().get("/circuit").then().statusCode(200).extract().jsonPath();
    }

    public static String circuitState() {
        return circuit().getString("state");
    }

    /**
     * With a healthy partner and customers asking every 100 ms: the open circuit keeps the partner out of it until
     * {@code nextTrialAt}, and the first call after it reaches the partner, once, and closes the circuit.
     */
    public static void expectTheTrialAt(WireMockServer partner, Instant nextTrialAt) {
        partnerIsHealthy(partner);
        // A call may take long on a loaded machine, so each look counts only if it ended before nextTrialAt (less a
        // little for the breaker's own clock, read just before ours): then the partner must not have been called yet.
        Instant lastLook = nextTrialAt.minusMillis(50);
        List<String> early = new ArrayList<>();
        await().atMost(Duration.between(Instant.now(), nextTrialAt).plusSeconds(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    String reason = askOffer().extract().path("reason");
                    int requests = partnerRequests(partner);
                    Instant lookedAt = Instant.now();
                    if (lookedAt.isBefore(lastLook) && (!"circuit-open".equals(reason) || requests != 0)) {
                        early.add(lookedAt + ": " + reason + ", partner requests " + requests);
                    }
                    return "partner-answered".equals(reason);
                });
        assertEquals(List.of(), early, "answers before nextTrialAt " + nextTrialAt);
        assertEquals(1, partnerRequests(partner), "one trial call");
    }

    /**
     * A healthy partner and the breaker CLOSED with no failures: through SmallRye's API in a {@code @QuarkusTest}, and
     * against the packaged jar (no injection there) the way a user would, with calls until the trial closes it.
     */
    public static void closeCircuit(WireMockServer partner) {
        awaitReady();
        partnerIsHealthy(partner);
        ArcContainer offer = Arc.container();
        if (offer != null) {
            offer.instance(PartnerCircuit.class).get().reset();
        } else {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                JsonPath circuit = circuit();
                if ("CLOSED".equals(circuit.getString("state")) && circuit.getInt("failures") == 0) {
                    return true;
                }
                askOffer();
                return false;
            });
        }
        partner.resetRequests();
    }
}
