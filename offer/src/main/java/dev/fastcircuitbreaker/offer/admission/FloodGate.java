package dev.fastcircuitbreaker.offer.admission;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fastcircuitbreaker.offer.ColdOfferConfig;
import dev.fastcircuitbreaker.offer.Offer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * A flood answered at the door: while as many callers wait their turn as may call the partner, {@link Admission} would
 * answer a newcomer busy at once, so it gets that cold offer here, before RESTEasy Reactive, CDI and Mutiny see it:
 * a fresh offer, its JIT still busy, answers 2,048 callers at once sooner (bench/ANALYSIS.md, 2026-12-07).
 */
@ApplicationScoped
class FloodGate {

    void atTheDoor(@Observes Router router, Admission admission, ColdOfferConfig coldOffer, ObjectMapper json,
            Event<Offer> answered) throws JsonProcessingException {
        Offer busy = Offer.cold(coldOffer, Offer.Reason.OFFER_BUSY);
        Buffer body = Buffer.buffer(json.writeValueAsBytes(busy));
        router.get("/offers").order(-1).handler(context -> {
            if (admission.flooded()) {
                answered.fire(busy);
                context.response().putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON).end(body);
            } else {
                context.next();
            }
        });
    }
}
