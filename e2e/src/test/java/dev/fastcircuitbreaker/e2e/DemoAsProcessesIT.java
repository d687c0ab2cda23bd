package dev.fastcircuitbreaker.e2e;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The demo with the two packaged services and Monitoror as processes: the partner is killed (SIGKILL), started again,
 * hangs (SIGSTOP) and slows down. offer's policy is set through its environment, each number other than the
 * annotations' (3, 15 s, 1000 ms), so the demo passes only if the variables reach the breaker.
 */
class DemoAsProcessesIT extends DemoScenario {

    private static final int FAILURES_TO_OPEN = 5;
    /** Longer than a partner restart on CI's busy machine (with 8 s the delay was once over first), to see "back but cold". */
    private static final int DELAY_SECONDS = 20;
    private static final int TIMEOUT_MILLIS = 800;

    private ServiceProcess partner;
    private ServiceProcess offer;
    private Monitoror monitoror;

    @BeforeAll
    void startPartnerAndOffer() {
        partner = ServiceProcess.start("partner-offer", Map.of());
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", partner.url(),
                "CIRCUIT_FAILURES_TO_OPEN", Integer.toString(FAILURES_TO_OPEN),
                "CIRCUIT_DELAY_SECONDS", Integer.toString(DELAY_SECONDS),
                "PARTNER_TIMEOUT_MILLIS", Integer.toString(TIMEOUT_MILLIS)));
    }

    @AfterAll
    void stopProcesses() throws Exception {
        ServiceProcess.stopAll(monitoror, offer, partner);
    }

    /** The third process: Monitoror, with config.json's service addresses mapped to the two processes' ports. */
    @Override
    Monitoror openMonitoror() {
        monitoror = Monitoror.start(Map.of("default", Monitoror.configFor(Map.of(
                "partner-offer:8081", partner.url().substring("http://".length()),
                "offer:8080", offer.url().substring("http://".length())))));
        return monitoror;
    }

    @Override
    String partnerStopped() {
        return "failed unable to get " + partner.url() + "/q/health";
    }

    @Override
    String route() {
        return "processes";
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
    String offerLog() {
        return offer.log();
    }
}
