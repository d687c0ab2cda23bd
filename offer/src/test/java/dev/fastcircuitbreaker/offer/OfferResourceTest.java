package dev.fastcircuitbreaker.offer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static dev.fastcircuitbreaker.offer.OfferApi.askOffer;
import static dev.fastcircuitbreaker.offer.OfferApi.circuit;
import static dev.fastcircuitbreaker.offer.OfferApi.closeCircuit;
import static dev.fastcircuitbreaker.offer.OfferApi.expectColdOffer;
import static dev.fastcircuitbreaker.offer.OfferApi.expectHotOffer;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerAnswers;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerFailsWith;
import static dev.fastcircuitbreaker.offer.OfferApi.partnerRequests;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
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
    void answersColdWhenThePartnerRefusesConnections() {
        partner.stop();
        try {
            expectColdOffer("partner-unreachable");
        } finally {
            partner.start();
        }
    }

    @Test
    void answersColdWhenThePartnerFails() {
        partnerFailsWith(partner, 500);
        expectColdOffer("partner-error");
    }

    @Test
    void answersColdWhenThePartnerDoesNotKnowTheOffer() {
        partnerFailsWith(partner, 404);
        expectColdOffer("partner-error");
    }

    @Test
    void answersColdWhenThePartnerDropsTheConnection() {
        partnerAnswers(partner, aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        expectColdOffer("partner-error");
    }

    @Test
    void answersColdWhenThePartnerAnswersMalformedJson() {
        partnerAnswers(partner, okJson("{\"id\": \"hot-42\", \"type\": "));
        expectColdOffer("partner-bad-response");
    }

    @Test
    void answersColdWhenThePartnerAnswersAnIncompleteOffer() {
        partnerAnswers(partner, okJson("{\"id\":\"hot-42\",\"type\":\"hot\",\"price\":null}"));
        expectColdOffer("partner-bad-response");
    }

    @Test
    void answersColdWhenThePartnerAnswersAnEmptyBody() {
        partnerAnswers(partner, aResponse().withStatus(200).withHeader("Content-Type", "application/json"));
        expectColdOffer("partner-bad-response");
        expectCountedAsAFailure();
    }

    @Test
    void answersColdWhenThePartnerAnswersSomethingElseThanJson() {
        partnerAnswers(partner, aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                .withBody("<html><body>offers</body></html>"));
        expectColdOffer("partner-bad-response");
        expectCountedAsAFailure();
    }

    @Test
    void answersColdWhenThePartnerAnswersAHugeBody() {
        String huge = "x".repeat(4 * 1024 * 1024);
        partnerAnswers(partner, okJson("{\"id\":\"hot-42\",\"type\":\"hot\",\"description\":\"" + huge + "\",\"price\":9.99}"));
        expectColdOffer("partner-bad-response");
        expectCountedAsAFailure();
    }

    @Test
    void answersHotWhenThePartnersAnswerIsExactlyTheBodyLimit() {
        partnerAnswers(partner, okJson(paddedHotOffer(PartnerOfferBounds.MAX_BODY_BYTES)));
        expectHotOffer();
    }

    @Test
    void answersColdWhenThePartnersAnswerIsOneByteOverTheBodyLimit() {
        partnerAnswers(partner, okJson(paddedHotOffer(PartnerOfferBounds.MAX_BODY_BYTES + 1)));
        expectColdOffer("partner-bad-response");
        expectCountedAsAFailure();
    }

    @Test
    void answersColdWhenThePartnerAnswersAGzipBodyItWasNotAskedFor() {
        partnerAnswers(partner, okJson(OfferApi.HOT_OFFER).withHeader("Content-Encoding", "gzip"));
        expectColdOffer("partner-bad-response");
        expectCountedAsAFailure();
    }

    @Test
    void answersColdWithinTheTimeoutWhenThePartnerDripsItsAnswer() {
        partnerAnswers(partner, okJson(OfferApi.HOT_OFFER).withChunkedDribbleDelay(50, 10_000));
        askOffer().body("type", equalTo("cold")).body("reason", equalTo("timeout")).time(lessThan(4_000L));
        expectCountedAsAFailure();
    }

    @Test
    void answersColdWithinTheTimeoutWhenThePartnerHangs() {
        partnerAnswers(partner, okJson(OfferApi.HOT_OFFER).withFixedDelay(10_000));
        // The timeout is 1 s; without it the answer would take the partner's full 10 s.
        askOffer().body("type", equalTo("cold")).body("reason", equalTo("timeout")).time(lessThan(4_000L));
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
