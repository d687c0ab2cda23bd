package dev.fastcircuitbreaker.e2e;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The demo with the two packaged services and Monitoror as processes: partner-offer stopped is SIGKILL, started a new
 * process, paused SIGSTOP. offer's policy is set through its environment, each number other than the annotations'
 * (3, 15 s, 1000 ms), so the demo passes only if the variables reach the breaker. The delay is longer than a partner
 * restart on CI's busy machine (with 8 s it was once over first), to see "back but still cold".
 */
class DemoAsProcessesIT extends DemoScenario {

    private static final Policy POLICY = new Policy(5, 20, 800);

    private ServiceProcess partner;
    private ServiceProcess offer;
    private Monitoror monitoror;

    DemoAsProcessesIT() {
        super(POLICY);
    }

    @BeforeAll
    void startPartnerAndOffer() {
        partner = ServiceProcess.start("partner-offer", Map.of());
        offer = ServiceProcess.start("offer", Map.of("PARTNER_OFFER_URL", partner.url(),
                "CIRCUIT_FAILURES_TO_OPEN", Integer.toString(POLICY.failuresToOpen()),
                "CIRCUIT_DELAY_SECONDS", Integer.toString(POLICY.delaySeconds()),
                "PARTNER_TIMEOUT_MILLIS", Integer.toString(POLICY.timeoutMillis())));
    }

    @AfterAll
    void stopProcesses() throws Exception {
        ServiceProcess.stopAll(monitoror, offer, partner);
    }

    /** The third process: Monitoror, with config.json's service addresses mapped to the two processes' ports. */
    @Override
    Monitoror openMonitoror() {
        monitoror = Monitoror.start(Monitoror.configFor(Map.of(
                "partner-offer:8081", partner.url().substring("http://".length()),
                "offer:8080", offer.url().substring("http://".length()))));
        return monitoror;
    }

    @Override
    void partner(String step) {
        switch (step) {
            case "stop" -> partner.kill();
            case "start" -> {
                partner = partner.restart(Map.of());
                partner.awaitReady();
            }
            case "pause" -> partner.pause();
            case "unpause" -> partner.resume();
            default -> throw new IllegalArgumentException(step);
        }
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
    String offerLog() {
        return offer.log();
    }
}
