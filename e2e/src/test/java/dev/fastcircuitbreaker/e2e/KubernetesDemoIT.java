package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * The demo on Kubernetes, as docker-compose.yml runs it: each service's manifest as quarkus-kubernetes writes it at
 * package time ({@code <service>/target/kubernetes/kubernetes.yml}), and the whole demo, board included, as
 * {@code kubectl kustomize kubernetes/} renders it for {@code kubectl apply -k kubernetes/}.
 */
class KubernetesDemoIT {

    private static Manifests rendered;

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "partner-offer, 8081, 1", "offer, 8080, 2" })
    void eachServiceIsADeploymentAndAServiceOnItsComposePortWithTheImageComposeBuilds(String name, int port, int replicas) {
        Manifests manifests = generated(name);
        assertEquals(List.of("Service/" + name, "Deployment/" + name), manifests.names(),
                "nothing a plain cluster lacks a definition for (no ServiceMonitor)");
        Service service = manifests.one(Service.class, name);
        assertEquals(List.of(port), service.getSpec().getPorts().stream().map(ServicePort::getPort).toList());
        assertEquals(port, service.getSpec().getPorts().get(0).getTargetPort().getIntVal());

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

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "partner-offer, 8081", "offer, 8080" })
    void eachServiceIsProbedForStartLivenessAndReadinessNeverForTheCircuitsWellness(String name, int port) throws IOException {
        Container container = container(generated(name).one(Deployment.class, name));
        assertProbe("/q/health/live", port, container.getLivenessProbe());
        assertProbe("/q/health/ready", port, container.getReadinessProbe());
        assertProbe("/q/health/started", port, container.getStartupProbe());
        assertFalse(Files.readString(manifest(name)).contains("/q/health/well"),
                "an open circuit must not restart offer nor take it out of its Service");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "partner-offer", "offer" })
    void eachServiceRunsWithinComposesMemoryAsNonRootOnAReadOnlyFilesystemWithAWritableTmp(String name) throws IOException {
        Deployment deployment = generated(name).one(Deployment.class, name);
        ResourceRequirements resources = container(deployment).getResources();
        for (String resource : List.of("cpu", "memory")) {
            assertNotNull(resources.getRequests().get(resource), "requests." + resource);
            assertNotNull(resources.getLimits().get(resource), "limits." + resource);
        }
        String composeLimit = Compose.file().path("services").path(name).path("mem_limit").asText();
        assertTrue(composeLimit.endsWith("m"), "docker-compose.yml's mem_limit in MiB: " + composeLimit);
        long limit = Quantity.getAmountInBytes(resources.getLimits().get("memory")).longValueExact();
        assertEquals(Long.parseLong(composeLimit.replace("m", "")) * 1024 * 1024, limit);
        long request = Quantity.getAmountInBytes(resources.getRequests().get("memory")).longValueExact();
        assertTrue(request <= limit, "memory request " + request + " within the limit " + limit);

        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        var security = container(deployment).getSecurityContext();
        assertEquals(List.of(true, true, false), Arrays.asList(pod.getSecurityContext().getRunAsNonRoot(),
                security.getReadOnlyRootFilesystem(), security.getAllowPrivilegeEscalation()),
                "non-root, read-only, no escalation");
        String tmp = container(deployment).getVolumeMounts().stream().filter(mount -> mount.getMountPath().equals("/tmp"))
                .findFirst().orElseThrow(() -> new AssertionError("no volume on /tmp: Vert.x cannot start")).getName();
        assertNotNull(pod.getVolumes().stream().filter(v -> v.getName().equals(tmp)).findFirst().orElseThrow().getEmptyDir(),
                "/tmp is an emptyDir");
    }

    @Test
    void offerFindsThePartnerThroughItsServiceWithComposesSettings() throws IOException {
        Map<String, String> env = env(container(generated("offer").one(Deployment.class, "offer")));
        URI partner = URI.create(env.get("PARTNER_OFFER_URL"));
        Service partnerService = generated("partner-offer").one(Service.class, partner.getHost());
        assertEquals(partner.getPort(), partnerService.getSpec().getPorts().get(0).getPort());

        // The same variables as docker-compose.yml, and no more: nothing shadows the annotations' policy.
        Map<String, String> composeEnv = new TreeMap<>();
        Compose.file().path("services").path("offer").path("environment").fields()
                .forEachRemaining(variable -> composeEnv.put(variable.getKey(), variable.getValue().asText()));
        assertEquals(composeEnv, new TreeMap<>(env), "offer's environment as docker-compose.yml sets it");
    }

    @Test
    void kustomizeRendersBothServicesAndTheBoardWithConfigJsonAsItsConfigMap() throws IOException {
        for (Class<? extends HasMetadata> kind : List.of(Deployment.class, Service.class)) {
            assertEquals(List.of("monitoror", "offer", "partner-offer"),
                    rendered().all(kind).stream().map(resource -> resource.getMetadata().getName()).sorted().toList());
        }
        List<ConfigMap> configMaps = rendered().all(ConfigMap.class);
        assertEquals(1, configMaps.size(), () -> "one ConfigMap in " + rendered().names());
        assertEquals(Map.of("config.json", Files.readString(Monitoror.CONFIG)), configMaps.get(0).getData(),
                "kubernetes/config.json is a copy of config.json: cp config.json kubernetes/");
    }

    @Test
    void everyUrlOfTheBoardReachesAServiceOnItsPortAndItsPods() throws IOException {
        List<String> urls = new ObjectMapper().readTree(Monitoror.CONFIG.toFile()).findValuesAsText("url");
        assertTrue(urls.size() >= 4, "the board's URLs: " + urls);
        for (String url : urls) {
            URI uri = URI.create(url);
            Service service = rendered().one(Service.class, uri.getHost());
            assertTrue(service.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == uri.getPort()),
                    url + " is on a port of Service " + uri.getHost());
            assertTrue(rendered().all(Deployment.class).stream().anyMatch(d -> d.getSpec().getTemplate().getMetadata()
                    .getLabels().entrySet().containsAll(service.getSpec().getSelector().entrySet())),
                    "Service " + uri.getHost() + " selects the pods of a Deployment");
        }
    }

    @Test
    void monitororRunsAsInComposeWithTheBoardMountedWhereItsSettingsSay() throws IOException {
        Deployment monitoror = rendered().one(Deployment.class, "monitoror");
        PodSpec pod = monitoror.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        // compose's default image, "${MONITOROR_IMAGE:-monitoror/monitoror:4.0.1}": the public one.
        String composeImage = Compose.file().path("services").path("monitoror").path("image").asText()
                .replaceAll("\\$\\{\\w+:-([^}]+)}", "$1");
        assertEquals(composeImage, container.getImage());

        Map<String, String> env = env(container);
        assertEquals(Monitoror.settings(), env, "the settings of monitoror/monitoror.env");
        String configDir = Path.of(env.get("MO_CONFIG")).getParent().toString();
        String volume = container.getVolumeMounts().stream().filter(mount -> mount.getMountPath().equals(configDir))
                .findFirst().orElseThrow(() -> new AssertionError("nothing mounted on " + configDir)).getName();
        String configMap = pod.getVolumes().stream().filter(v -> v.getName().equals(volume)).findFirst().orElseThrow()
                .getConfigMap().getName();
        assertEquals(rendered().all(ConfigMap.class).get(0).getMetadata().getName(), configMap);

        // compose publishes "127.0.0.1:${MONITOROR_PORT:-38080}:8080": the Service keeps the default host port, so
        // port-forward gives the same URL.
        String[] published = Compose.file().path("services").path("monitoror").path("ports").get(0).asText()
                .replaceAll("\\$\\{\\w+:-(\\d+)}", "$1").split(":");
        ServicePort port = rendered().one(Service.class, "monitoror").getSpec().getPorts().get(0);
        assertEquals(Integer.parseInt(published[published.length - 2]), port.getPort());
        assertEquals(List.of(Integer.parseInt(published[published.length - 1])),
                container.getPorts().stream().map(p -> p.getContainerPort()).toList());
    }

    /** What {@code kubectl kustomize kubernetes/} renders; skipped where kubectl is missing, except in CI. */
    private static Manifests rendered() {
        if (rendered == null) {
            try {
                rendered = Manifests.parse(Compose.exec(List.of("kubectl", "kustomize",
                        Compose.ROOT.resolve("kubernetes").toString()), Duration.ofMinutes(1)));
            } catch (UncheckedIOException noKubectl) {
                SkipReasons.skipOutsideCi("kubectl (with kustomize v5) is not on the PATH; .ci/run installs it");
            }
        }
        return rendered;
    }

    private static Path manifest(String service) {
        Path file = Compose.ROOT.resolve(service).resolve("target/kubernetes/kubernetes.yml");
        assertTrue(Files.isRegularFile(file), file + " is written by ./mvnw package");
        return file;
    }

    private static Manifests generated(String service) {
        try {
            return Manifests.parse(Files.readString(manifest(service)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    private static Map<String, String> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }
}
