package dev.fastcircuitbreaker.offer.admission;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.fastcircuitbreaker.offer.OfferApi;
import dev.fastcircuitbreaker.offer.PartnerDouble;
import dev.fastcircuitbreaker.offer.PartnerDouble.InjectPartnerDouble;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/**
 * More customers at once than offer lets call the partner, and as many again waiting their turn: the partner takes
 * longer than the longest wait, so those over the limit are answered {@code offer-busy}, cold, without a partner call.
 * Offer's own overload: the circuit stays CLOSED with no failure, and each busy answer is counted as shed.
 */
@QuarkusTest
@TestProfile(FloodTest.PatientBreaker.class)
@WithTestResource(PartnerDouble.class)
class FloodTest {

    /**
     * A timeout far past the double's 200 ms: the double shares this JVM and its cores with offer and the customers,
     * and once held 8 of a flood's calls past the 1 s timeout in CI. This test is about admission, not the timeout.
     */
    public static class PatientBreaker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.fault-tolerance.\"dev.fastcircuitbreaker.offer.PartnerOfferClient/hotOffer\".timeout.value", "5000");
        }
    }

    @InjectPartnerDouble
    WireMockServer partner;

    @Test
    void customersOverTheLimitAreAnsweredBusyWithoutAPartnerCallAndNoFailureIsCounted() {
        OfferApi.closeCircuit(partner);
        // The scenario's first customer, hot. It also loads WireMock's classes, which share this JVM with offer: run
        // alone, without it, 64 cold first answers of the double outlived offer's timeout (29 of them).
        OfferApi.expectHotOffer();
        OfferApi.partnerAnswers(partner, okJson(OfferApi.HOT_OFFER).withFixedDelay(200));
        JsonPath before = OfferApi.circuit();
        int customers = 2 * before.getInt("limit") + 32;

        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ask = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/offers")).build();
        List<CompletableFuture<HttpResponse<String>>> asked = IntStream.range(0, customers)
                .mapToObj(i -> http.sendAsync(ask, HttpResponse.BodyHandlers.ofString())).toList();
        Map<String, Long> reasons = asked.stream().map(CompletableFuture::join)
                .map(answer -> answer.statusCode() + " " + JsonPath.from(answer.body()).getString("reason"))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));

        long hot = reasons.getOrDefault("200 partner-answered", 0L);
        long busy = reasons.getOrDefault("200 offer-busy", 0L);
        assertEquals(customers, hot + busy, () -> "a 200 each, hot or busy: " + reasons);
        assertTrue(busy >= 32, () -> "those past the limit and the waiting room are busy: " + reasons);
        assertEquals(hot, OfferApi.partnerRequests(partner), "the partner's own count: no busy customer reached it");
        JsonPath after = OfferApi.circuit();
        assertEquals("CLOSED", after.getString("state"));
        assertEquals(before.getLong("partnerFailures"), after.getLong("partnerFailures"), "no partner failure counted");
        assertEquals(busy, after.getLong("shed") - before.getLong("shed"), "/circuit's shed counts each busy answer");
    }
}
