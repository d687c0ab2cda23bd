package dev.fastcircuitbreaker.offer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static dev.fastcircuitbreaker.offer.OfferApi.askOffer;
import static dev.fastcircuitbreaker.offer.OfferApi.circuit;
import static dev.fastcircuitbreaker.offer.OfferApi.closeCircuit;
import static dev.fastcircuitbreaker.offer.OfferApi.expectColdOffer;
import static dev.fastcircuitbreaker.offer.OfferApi.expectHotOffer;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerAnswers;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerRequests;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;

import dev.fastcircuitbreaker.offer.PartnerDouble.InjectPartnerDouble;
import dev.fastcircuitbreaker.offer.bounds.PartnerOfferBounds;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Whatever the partner does, a customer gets a 200 with an offer: hot when the partner answers, cold otherwise. */
@QuarkusTest
@WithTestResource(PartnerDouble.class)
class OfferResourceTest {

    @InjectPartnerDouble
    WireMockServer partner;

    @BeforeEach
    void closedCircuitAndHealthyPartner() {
        closeCircuit(partner);
    }

    @Test
    void answersThePartnersHotOffer() {
        expectHotOffer();
        assertEquals(1, partnerRequests(partner));
    }

    @Test
    void answersHotWhenThePartnersAnswerIsExactlyTheBodyLimit() {
        partnerAnswers(partner, okJson(paddedHotOffer(PartnerOfferBounds.MAX_BODY_BYTES)));
        expectHotOffer();
    }

    @Test
    void answersColdWhenThePartnerRefusesConnections() {
        partner.stop();
        try {
            expectColdOffer("partner-unreachable");
            expectCountedAsAFailure();
        } finally {
            partner.start();
        }
    }

    /** Each way a partner can fail, and the reason the cold offer then gives; the 1 s timeout bounds the slow ones. */
    static Stream<Arguments> partnerFailures() {
        return Stream.of(
                arguments("fails (500)", aResponse().withStatus(500).withBody("partner trouble"), "partner-error"),
                arguments("does not know the offer (404)", aResponse().withStatus(404).withBody("partner trouble"), "partner-error"),
                arguments("drops the connection", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), "partner-error"),
                arguments("answers malformed JSON", okJson("{\"id\": \"hot-42\", \"type\": "), "partner-bad-response"),
                arguments("answers an incomplete offer", okJson("{\"id\":\"hot-42\",\"type\":\"hot\",\"price\":null}"),
                        "partner-bad-response"),
                arguments("answers an empty body", aResponse().withStatus(200).withHeader("Content-Type", "application/json"),
                        "partner-bad-response"),
                arguments("answers something else than JSON", aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                        .withBody("<html><body>offers</body></html>"), "partner-bad-response"),
                arguments("answers a 4 MiB body", okJson("{\"id\":\"hot-42\",\"type\":\"hot\",\"description\":\""
                        + "x".repeat(4 * 1024 * 1024) + "\",\"price\":9.99}"), "partner-bad-response"),
                arguments("answers one byte over the body limit", okJson(paddedHotOffer(PartnerOfferBounds.MAX_BODY_BYTES + 1)),
                        "partner-bad-response"),
                arguments("answers a gzip body it was not asked for",
                        okJson(OfferApi.HOT_OFFER).withHeader("Content-Encoding", "gzip"), "partner-bad-response"),
                // Without the whole exchange bounded, a drip of 10 s would hold the answer that long.
                arguments("drips its answer", okJson(OfferApi.HOT_OFFER).withChunkedDribbleDelay(50, 10_000), "timeout"),
                arguments("hangs", okJson(OfferApi.HOT_OFFER).withFixedDelay(10_000), "timeout"));
    }

    @ParameterizedTest(name = "the partner {0}: cold, {2}")
    @MethodSource("partnerFailures")
    void answersColdWithTheReasonWhenThePartnerFailsAndCountsAFailure(String what, ResponseDefinitionBuilder partnerDoes,
            String reason) {
        partnerAnswers(partner, partnerDoes);
        askOffer().body("type", equalTo("cold")).body("id", equalTo("cold-1")).body("reason", equalTo(reason))
                .time(lessThan(4_000L));
        expectCountedAsAFailure();
    }

    /** The hot offer followed by whitespace, {@code bytes} long in all: still a valid JSON document. */
    private static String paddedHotOffer(int bytes) {
        return OfferApi.HOT_OFFER + " ".repeat(bytes - OfferApi.HOT_OFFER.length());
    }

    private static void expectCountedAsAFailure() {
        assertEquals(1, circuit().getInt("failures"));
    }
}
