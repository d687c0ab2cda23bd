package dev.fastcircuitbreaker.e2e;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The scenario with the two packaged services as real processes: the partner is killed, then hangs (SIGSTOP). offer's
 * policy is set through its process environment, each number other than the annotation's (3, 15 s, 1000 ms), so the
 * scenario passes only if the variables reach the breaker.
 */
class PartnerOutageIT extends PartnerOutageScenario {

    private static final int FAILURES_TO_OPEN = 5;
    /**
     * Other than the demo's 15 s, and longer than a partner restart on CI's busy machine (4.7 s on an idle one; with 8 s
     * the delay was once over before partner-offer was ready), so "back but still cold" can be seen.
     */
    private static final int DELAY_SECONDS = 20;
    private static final int TIMEOUT_MILLIS = 800;

    private ServiceProcess partner;
    private ServiceProcess offer;
    private Monitoror monitoror;

    @BeforeAll
    void startPartnerAndOffer() {
        partner = ServiceProcess.start("partner-offer", Map.of());
        offer = ServiceProcess.start("offer", Map.of(
                "PARTNER_OFFER_URL", partner.url(),
                "CIRCUIT_FAILURES_TO_OPEN", Integer.toString(FAILURES_TO_OPEN),
                "CIRCUIT_DELAY_SECONDS", Integer.toString(DELAY_SECONDS),
                "PARTNER_TIMEOUT_MILLIS", Integer.toString(TIMEOUT_MILLIS)));
    }

    @AfterAll
    void stopProcesses() throws Exception {
        ServiceProcess.stopAll(monitoror, offer, partner);
    }

    /** The third process: Monitoror's binary, with config.json's service addresses mapped to the two processes' ports. */
    @Override
    Monitoror monitoror() {
        if (monitoror == null) {
            monitoror = Monitoror.start(Map.of("default", Monitoror.configFor(boardHosts())));
        }
        return monitoror;
    }

    @Override
    String offerUrl() {
        return offer.url();
    }

    @Override
    String partnerUrl() {
        return partner.url();
    }

    @Override
    int failuresToOpen() {
        return FAILURES_TO_OPEN;
    }

    @Override
    int delaySeconds() {
        return DELAY_SECONDS;
    }

    @Override
    int timeoutMillis() {
        return TIMEOUT_MILLIS;
    }

    @Override
    void stopPartner() {
        partner.kill();
    }

    /** Back and ready, as the board shows it (PartnerRestartIT calls it from the instant its port accepts). */
    @Override
    void startPartner() {
        partner = partner.restart(Map.of());
        partner.awaitReady();
    }

    @Override
    void pausePartner() {
        partner.pause();
    }

    @Override
    void resumePartner() {
        partner.resume();
    }

    @Override
    void ensurePartnerRunning() {
        if (partner.isAlive()) {
            partner.resume();
        } else {
            startPartner();
        }
    }

    @Override
    String offerLog() {
        return offer.log();
    }
}
