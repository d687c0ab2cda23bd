package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * {@code kubectl kustomize kubernetes/}, what {@code kubectl apply -k kubernetes/} would send to a cluster, renders the
 * whole demo: the generated manifests of both services and the Monitoror board, configured as in docker-compose.yml.
 */
class KubernetesDemoIT {

    private static final Path CONFIG = Monitoror.CONFIG;

    private static final String NO_KUBECTL = "kubectl (with kustomize v5) is not on the PATH; .ci/run installs it";

    private static Manifests demo;

    @BeforeAll
    static void render() {
        try {
            demo = Manifests.parse(Compose.exec(
                    List.of("kubectl", "kustomize", Compose.ROOT.resolve("kubernetes").toString()), Duration.ofMinutes(1)));
        } catch (UncheckedIOException noKubectl) {
            SkipReasons.skipOutsideCi(NO_KUBECTL);
        }
    }

    @Test
    void rendersBothServicesAndTheBoard() {
        assertEquals(List.of("monitoror", "offer", "partner-offer"),
                demo.all(Deployment.class).stream().map(d -> d.getMetadata().getName()).sorted().toList());
        assertEquals(List.of("monitoror", "offer", "partner-offer"),
                demo.all(Service.class).stream().map(s -> s.getMetadata().getName()).sorted().toList());
    }

    @Test
    void theBoardsConfigMapIsConfigJson() throws IOException {
        List<ConfigMap> configMaps = demo.all(ConfigMap.class);
        assertEquals(1, configMaps.size(), () -> "one ConfigMap in " + demo.names());
        assertEquals(Map.of("config.json", Files.readString(CONFIG)), configMaps.get(0).getData(),
                "kubernetes/config.json is a copy of config.json: cp config.json kubernetes/");
    }

    @Test
    void everyUrlOfTheBoardReachesAServiceOnItsPortAndItsPods() throws IOException {
        List<String> urls = new ObjectMapper().readTree(CONFIG.toFile()).findValuesAsText("url");
        assertTrue(urls.size() >= 4, "the board's URLs: " + urls);
        for (String url : urls) {
            URI uri = URI.create(url);
            Service service = demo.one(Service.class, uri.getHost());
            assertTrue(service.getSpec().getPorts().stream().map(ServicePort::getPort).anyMatch(p -> p == uri.getPort()),
                    url + " is on a port of Service " + uri.getHost());
            Map<String, String> selector = service.getSpec().getSelector();
            assertTrue(demo.all(Deployment.class).stream().anyMatch(
                    d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet())),
                    "Service " + uri.getHost() + " selects the pods of a Deployment");
        }
    }

    @Test
    void monitororRunsAsInComposeWithTheBoardMountedWhereItsSettingsSay() throws IOException {
        Deployment monitoror = demo.one(Deployment.class, "monitoror");
        PodSpec pod = monitoror.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        // compose's default image, "${MONITOROR_IMAGE:-monitoror/monitoror:4.0.1}": the public one.
        String composeImage = Compose.file().path("services").path("monitoror").path("image").asText()
                .replaceAll("\\$\\{\\w+:-([^}]+)}", "$1");
        assertEquals(composeImage, container.getImage());

        Map<String, String> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertEquals(Monitoror.settings(), env, "the settings of monitoror/monitoror.env");

        String configDir = Path.of(env.get("MO_CONFIG")).getParent().toString();
        String volume = container.getVolumeMounts().stream().filter(mount -> mount.getMountPath().equals(configDir))
                .findFirst().orElseThrow(() -> new AssertionError("nothing mounted on " + configDir)).getName();
        String configMap = pod.getVolumes().stream().filter(v -> v.getName().equals(volume)).findFirst().orElseThrow()
                .getConfigMap().getName();
        assertEquals(demo.all(ConfigMap.class).get(0).getMetadata().getName(), configMap);

        // compose publishes "127.0.0.1:${MONITOROR_PORT:-38080}:8080": the Service keeps the default host port, so
        // port-forward gives the same URL.
        String published = Compose.file().path("services").path("monitoror").path("ports").get(0).asText()
                .replaceAll("\\$\\{\\w+:-(\\d+)}", "$1");
        String[] parts = published.split(":");
        ServicePort port = demo.one(Service.class, "monitoror").getSpec().getPorts().get(0);
        assertEquals(Integer.parseInt(parts[parts.length - 2]), port.getPort());
        assertEquals(List.of(Integer.parseInt(parts[parts.length - 1])),
                container.getPorts().stream().map(p -> p.getContainerPort()).toList());
    }
}
