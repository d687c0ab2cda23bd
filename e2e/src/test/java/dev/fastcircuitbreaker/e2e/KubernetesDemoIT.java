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
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/** The demo on Kubernetes as compose runs it: each service's generated manifest, and what kubectl kustomize renders. */
class KubernetesDemoIT {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final JsonNode COMPOSE = yaml(Compose.ROOT.resolve("docker-compose.yml"));

    /** A YAML stream of resources in fabric8's model (a kind it lacks, e.g. ServiceMonitor, stays generic). */
    record Manifests(List<HasMetadata> resources) {

        static Manifests parse(String yaml) throws IOException {
            // An empty document (a trailing ---) reads as null.
            return new Manifests(YAML.readerFor(HasMetadata.class).<HasMetadata> readValues(yaml).readAll().stream()
                    .filter(Objects::nonNull).toList());
        }

        <T extends HasMetadata> List<T> all(Class<T> kind) {
            return resources.stream().filter(kind::isInstance).map(kind::cast).toList();
        }

        /** The one resource of this kind and name; fails when there is none or more than one. */
        <T extends HasMetadata> T one(Class<T> kind, String name) {
            List<T> named = all(kind).stream().filter(resource -> name.equals(resource.getMetadata().getName())).toList();
            assertEquals(1, named.size(), () -> "one " + kind.getSimpleName() + " named " + name + " in " + names());
            return named.get(0);
        }

        List<String> names() {
            return resources.stream().map(resource -> resource.getKind() + "/" + resource.getMetadata().getName()).toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "partner-offer, 8081, 1", "offer, 8080, 2" })
    void eachServiceRunsAsInComposeProbedButNeverForWellnessNonRootWithinComposesMemory(String name, int port, int replicas)
            throws IOException {
        String yaml = manifest(name);
        Manifests manifests = Manifests.parse(yaml);
        assertEquals(List.of("Service/" + name, "Deployment/" + name), manifests.names(), "no ServiceMonitor");
        Service service = manifests.one(Service.class, name);
        assertEquals(List.of(port + "->" + port), service.getSpec().getPorts().stream()
                .map(p -> p.getPort() + "->" + p.getTargetPort().getIntVal()).toList(), "the Service's port->targetPort");
        Deployment deployment = manifests.one(Deployment.class, name);
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertEquals(replicas, deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas(), "replicas");
        assertTrue(selects(service, deployment), "the Service selects the Deployment's pods");
        assertEquals(1, pod.getContainers().size(), "containers");
        Container container = pod.getContainers().get(0);
        assertEquals(List.of(port), container.getPorts().stream().map(p -> p.getContainerPort()).toList(), "container ports");
        assertEquals("fast-circuit-breaker/" + name + ":jvm", container.getImage(), "the image docker-compose.yml builds");
        assertEquals("IfNotPresent", container.getImagePullPolicy(), "an image loaded into kind or minikube is used");
        assertEquals(List.of("/q/health/live:" + port, "/q/health/ready:" + port, "/q/health/started:" + port),
                Arrays.asList(container.getLivenessProbe(), container.getReadinessProbe(), container.getStartupProbe()).stream()
                        .map(p -> p == null ? null : p.getHttpGet().getPath() + ":" + p.getHttpGet().getPort().getIntVal())
                        .toList(), "liveness, readiness, startup");
        assertFalse(yaml.contains("/q/health/well"), "an open circuit must not restart offer nor take it out of its Service");
        var resources = container.getResources();
        assertTrue(List.of(resources.getRequests(), resources.getLimits()).stream()
                .allMatch(amounts -> amounts.get("cpu") != null && amounts.get("memory") != null), "cpu, memory: " + resources);
        String composeLimit = COMPOSE.path("services").path(name).path("mem_limit").asText();
        assertTrue(composeLimit.endsWith("m"), "docker-compose.yml's mem_limit in MiB: " + composeLimit);
        long limit = Quantity.getAmountInBytes(resources.getLimits().get("memory")).longValueExact();
        assertEquals(Long.parseLong(composeLimit.replace("m", "")) * 1024 * 1024, limit, "docker-compose.yml's mem_limit");
        long request = Quantity.getAmountInBytes(resources.getRequests().get("memory")).longValueExact();
        assertTrue(request <= limit, "memory request " + request + " within the limit " + limit);
        var security = container.getSecurityContext();
        assertEquals(List.of(true, true, false), Arrays.asList(pod.getSecurityContext().getRunAsNonRoot(),
                security.getReadOnlyRootFilesystem(), security.getAllowPrivilegeEscalation()),
                "non-root, read-only, no privilege escalation");
        assertNotNull(volumeOn(deployment, "/tmp").getEmptyDir(), "/tmp is an emptyDir: Vert.x cannot start without it");
    }

    @Test
    void offerFindsThePartnerThroughItsServiceWithComposesSettings() throws IOException {
        Map<String, String> env = env(Manifests.parse(manifest("offer")).one(Deployment.class, "offer"));
        URI partner = URI.create(env.get("PARTNER_OFFER_URL"));
        Service partnerService = Manifests.parse(manifest("partner-offer")).one(Service.class, partner.getHost());
        assertEquals(partner.getPort(), partnerService.getSpec().getPorts().get(0).getPort());
        // The same variables as docker-compose.yml, and no more: nothing shadows the annotations' policy.
        Map<String, String> composeEnv = new TreeMap<>();
        COMPOSE.path("services").path("offer").path("environment").fields()
                .forEachRemaining(variable -> composeEnv.put(variable.getKey(), variable.getValue().asText()));
        assertEquals(composeEnv, new TreeMap<>(env), "offer's environment as docker-compose.yml sets it");
    }

    @Test
    void kustomizeRendersBothServicesAndTheBoardWithConfigJsonAsItsConfigMap() throws IOException {
        Manifests rendered = rendered();
        for (var kind : List.of(Deployment.class, Service.class)) {
            assertEquals(List.of("monitoror", "offer", "partner-offer"),
                    rendered.all(kind).stream().map(resource -> resource.getMetadata().getName()).sorted().toList());
        }
        assertEquals(List.of(Map.of("config.json", Files.readString(Monitoror.CONFIG))), rendered.all(ConfigMap.class).stream()
                .map(ConfigMap::getData).toList(), "one ConfigMap, of a copy of config.json: cp config.json kubernetes/");
    }

    @Test
    void everyUrlOfTheBoardReachesAServiceOnItsPortAndItsPods() throws IOException {
        Manifests rendered = rendered();
        List<String> urls = new ObjectMapper().readTree(Monitoror.CONFIG.toFile()).findValuesAsText("url");
        assertTrue(urls.size() >= 4, "the board's URLs: " + urls);
        for (URI url : urls.stream().map(URI::create).toList()) {
            Service service = rendered.one(Service.class, url.getHost());
            assertTrue(service.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == url.getPort()), "port of " + url);
            assertTrue(rendered.all(Deployment.class).stream().anyMatch(d -> selects(service, d)), "pods behind " + url);
        }
    }

    @Test
    void monitororRunsAsInComposeWithTheBoardMountedWhereItsSettingsSay() throws IOException {
        Manifests rendered = rendered();
        Deployment monitoror = rendered.one(Deployment.class, "monitoror");
        Container container = monitoror.getSpec().getTemplate().getSpec().getContainers().get(0);
        // compose as run without variables: "${MONITOROR_IMAGE:-monitoror/monitoror:4.0.1}" is the public image, and
        // "127.0.0.1:${MONITOROR_PORT:-38080}:8080" the Service's port, so that port-forward gives the same URL.
        var compose = COMPOSE.path("services").path("monitoror");
        assertEquals(compose.path("image").asText().replaceAll("\\$\\{\\w+:-([^}]+)}", "$1"), container.getImage());
        Map<String, String> env = env(monitoror);
        assertEquals(Monitoror.settings(), env, "the settings of monitoror/monitoror.env");
        String configDir = Path.of(env.get("MO_CONFIG")).getParent().toString();
        assertEquals(rendered.all(ConfigMap.class).get(0).getMetadata().getName(),
                volumeOn(monitoror, configDir).getConfigMap().getName(), "the ConfigMap mounted on " + configDir);
        String[] published = compose.path("ports").get(0).asText().replaceAll("\\$\\{\\w+:-(\\d+)}", "$1").split(":");
        assertEquals(Integer.parseInt(published[published.length - 2]),
                rendered.one(Service.class, "monitoror").getSpec().getPorts().get(0).getPort());
        assertEquals(List.of(Integer.parseInt(published[published.length - 1])),
                container.getPorts().stream().map(p -> p.getContainerPort()).toList());
    }

    /** What {@code kubectl kustomize kubernetes/} renders; skipped where kubectl is missing, except in CI. */
    private static Manifests rendered() throws IOException {
        try {
            return Manifests.parse(Compose.exec(List.of("kubectl", "kustomize", "kubernetes"), Duration.ofMinutes(1)));
        } catch (UncheckedIOException noKubectl) {
            return SkipReasons.skipOutsideCi("kubectl (with kustomize v5) is not on the PATH; .ci/run installs it");
        }
    }

    private static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String manifest(String service) throws IOException {
        Path file = Compose.ROOT.resolve(service + "/target/kubernetes/kubernetes.yml");
        assertTrue(Files.isRegularFile(file), file + " is written by ./mvnw package");
        return Files.readString(file);
    }

    private static boolean selects(Service service, Deployment deployment) {
        var labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        return labels.entrySet().containsAll(service.getSpec().getSelector().entrySet());
    }

    private static Volume volumeOn(Deployment deployment, String path) {
        var pod = deployment.getSpec().getTemplate().getSpec();
        String name = pod.getContainers().get(0).getVolumeMounts().stream().filter(mount -> mount.getMountPath().equals(path))
                .findFirst().orElseThrow(() -> new AssertionError("nothing mounted on " + path)).getName();
        return pod.getVolumes().stream().filter(volume -> volume.getName().equals(name)).findFirst().orElseThrow();
    }

    private static Map<String, String> env(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(variable -> variable.getName(), variable -> variable.getValue()));
    }
}
