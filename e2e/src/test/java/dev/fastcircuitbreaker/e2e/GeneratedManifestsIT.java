package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * What quarkus-kubernetes writes to {@code <service>/target/kubernetes/kubernetes.yml} at package time: a Deployment and a
 * Service per service, with the ports, image, probes, resources and security a cluster needs to run the demo as
 * docker-compose.yml does.
 */
class GeneratedManifestsIT {

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "partner-offer, 8081, 1", "offer, 8080, 2" })
    void eachServiceIsADeploymentAndAServiceOnItsComposePort(String name, int port, int replicas) {
        Manifests manifests = generated(name);
        assertEquals(List.of("Service/" + name, "Deployment/" + name), manifests.names(),
                "nothing a plain cluster lacks a definition for (no ServiceMonitor)");

        Service service = manifests.one(Service.class, name);
        ServicePort http = service.getSpec().getPorts().get(0);
        assertEquals(List.of(port), service.getSpec().getPorts().stream().map(ServicePort::getPort).toList());
        assertEquals(port, http.getTargetPort().getIntVal());

        Deployment deployment = manifests.one(Deployment.class, name);
        assertEquals(replicas, Optional.ofNullable(deployment.getSpec().getReplicas()).orElse(1), "absent: Kubernetes' 1");
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()),
                "the Service selects the Deployment's pods: " + service.getSpec().getSelector() + " in " + podLabels);
        Container container = container(deployment);
        assertEquals(List.of(port), container.getPorts().stream().map(p -> p.getContainerPort()).toList());
        assertEquals("fast-circuit-breaker/" + name + ":jvm", container.getImage(), "the image docker-compose.yml builds");
        assertEquals("IfNotPresent", container.getImagePullPolicy(), "an image loaded into kind or minikube is used");
    }

    @ParameterizedTest
    @CsvSource({ "partner-offer, 8081", "offer, 8080" })
    void probesAskLivenessAndReadinessNeverTheCircuitsWellness(String name, int port) throws IOException {
        Container container = container(generated(name).one(Deployment.class, name));
        assertProbe("/q/health/live", port, container.getLivenessProbe());
        assertProbe("/q/health/ready", port, container.getReadinessProbe());
        assertProbe("/q/health/started", port, container.getStartupProbe());
        assertFalse(Files.readString(manifest(name)).contains("/q/health/well"),
                "an open circuit must not restart offer nor take it out of its Service");
    }

    @ParameterizedTest
    @CsvSource({ "partner-offer", "offer" })
    void resourcesAreBoundedAsInCompose(String name) throws IOException {
        var resources = container(generated(name).one(Deployment.class, name)).getResources();
        for (String resource : List.of("cpu", "memory")) {
            assertNotNull(resources.getRequests().get(resource), "requests." + resource);
            assertNotNull(resources.getLimits().get(resource), "limits." + resource);
        }
        String composeLimit = Compose.file().path("services").path(name).path("mem_limit").asText();
        assertTrue(composeLimit.endsWith("m"), "docker-compose.yml's mem_limit in MiB: " + composeLimit);
        long composeBytes = Long.parseLong(composeLimit.substring(0, composeLimit.length() - 1)) * 1024 * 1024;
        assertEquals(composeBytes, Quantity.getAmountInBytes(resources.getLimits().get("memory")).longValueExact());
        assertTrue(Quantity.getAmountInBytes(resources.getRequests().get("memory"))
                .compareTo(Quantity.getAmountInBytes(resources.getLimits().get("memory"))) <= 0, "request within limit");
    }

    @ParameterizedTest
    @CsvSource({ "partner-offer", "offer" })
    void runsAsNonRootOnAReadOnlyRootFilesystemWithAWritableTmp(String name) {
        Deployment deployment = generated(name).one(Deployment.class, name);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = container(deployment);
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(Boolean.TRUE, container.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation());

        VolumeMount tmp = container.getVolumeMounts().stream().filter(mount -> mount.getMountPath().equals("/tmp"))
                .findFirst().orElseThrow(() -> new AssertionError("no volume on /tmp: Vert.x cannot start"));
        Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(tmp.getName())).findFirst().orElseThrow();
        assertNotNull(volume.getEmptyDir(), "/tmp is an emptyDir");
    }

    @Test
    void offerFindsThePartnerThroughItsServiceWithComposesSettings() throws IOException {
        Map<String, String> env = container(generated("offer").one(Deployment.class, "offer")).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));

        URI partner = URI.create(env.get("PARTNER_OFFER_URL"));
        Service partnerService = generated("partner-offer").one(Service.class, partner.getHost());
        assertEquals(partner.getPort(), partnerService.getSpec().getPorts().get(0).getPort());

        // The same variables as docker-compose.yml, and no more: nothing shadows the annotations' policy.
        Map<String, String> composeEnv = new TreeMap<>();
        Compose.file().path("services").path("offer").path("environment").fields()
                .forEachRemaining(variable -> composeEnv.put(variable.getKey(), variable.getValue().asText()));
        assertEquals(composeEnv, new TreeMap<>(env), "offer's environment as docker-compose.yml sets it");
    }

    private static void assertProbe(String path, int port, Probe probe) {
        assertNotNull(probe, path);
        assertEquals(path, probe.getHttpGet().getPath());
        assertEquals(port, probe.getHttpGet().getPort().getIntVal(), path);
    }

    private static Container container(Deployment deployment) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    private static Path manifest(String service) {
        Path file = Compose.ROOT.resolve(service).resolve("target/kubernetes/kubernetes.yml");
        assertTrue(Files.isRegularFile(file), file + " is written by ./mvnw package");
        return file;
    }

    private static Manifests generated(String service) {
        return Manifests.read(manifest(service));
    }
}
