package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** The demo on Kubernetes as compose runs it: the generated manifests and what kubectl kustomize renders, as YAML trees. */
class KubernetesDemoIT {

    private static final YAMLMapper YAML = new YAMLMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "partner-offer, 8081, 1", "offer, 8080, 2" })
    void eachServiceRunsAsInComposeProbedButNeverForWellnessNonRootWithinComposesMemory(String name, int port, int replicas)
            throws IOException {
        String yaml = manifest(name);
        List<JsonNode> manifests = resources(yaml);
        assertEquals(List.of("Service/" + name, "Deployment/" + name),
                each(manifests, r -> r.path("kind").asText() + "/" + nameOf(r)), "no ServiceMonitor");
        JsonNode service = one(manifests, "Service", name);
        List<String> ports = each(service.at("/spec/ports"), p -> p.path("port") + "->" + p.path("targetPort"));
        assertEquals(List.of(port + "->" + port), ports, "the Service's port->targetPort");
        JsonNode deployment = one(manifests, "Deployment", name);
        assertEquals(replicas, deployment.at("/spec/replicas").asInt(1), "replicas");
        assertTrue(selects(service, deployment), "the Service selects the Deployment's pods");
        JsonNode pod = deployment.at("/spec/template/spec");
        assertEquals(1, pod.path("containers").size(), "containers");
        JsonNode container = pod.at("/containers/0");
        assertEquals(List.of(Integer.toString(port)), each(container.path("ports"), p -> p.path("containerPort").asText()),
                "container ports");
        assertEquals("fast-circuit-breaker/" + name + ":jvm", container.path("image").asText(),
                "the image docker-compose.yml builds");
        assertEquals("IfNotPresent", container.path("imagePullPolicy").asText(), "an image loaded into kind or minikube is used");
        var probes = each(List.of("livenessProbe", "readinessProbe", "startupProbe"), p -> container.path(p).path("httpGet"));
        assertEquals(List.of("/q/health/live:" + port, "/q/health/ready:" + port, "/q/health/started:" + port),
                each(probes, get -> get.path("path").asText() + ":" + get.path("port").asText()), "liveness, readiness, startup");
        assertFalse(yaml.contains("/q/health/well"), "an open circuit must not restart offer nor take it out of its Service");
        JsonNode resources = container.path("resources");
        assertTrue(List.of("/requests/cpu", "/requests/memory", "/limits/cpu", "/limits/memory").stream()
                .allMatch(amount -> resources.at(amount).isTextual()), "cpu, memory: " + resources);
        String composeLimit = compose().at("/services/" + name + "/mem_limit").asText();
        assertTrue(composeLimit.matches("\\d+m"), "docker-compose.yml's mem_limit in MiB: " + composeLimit);
        assertEquals(composeLimit.replace("m", "Mi"), resources.at("/limits/memory").asText(), "docker-compose.yml's mem_limit");
        String request = resources.at("/requests/memory").asText();
        assertTrue(request.matches("\\d+Mi")
                && Integer.parseInt(request.replace("Mi", "")) <= Integer.parseInt(composeLimit.replace("m", "")),
                "memory request " + request + " within the limit " + composeLimit);
        assertEquals(List.of(true, true, false), List.of(pod.at("/securityContext/runAsNonRoot").asBoolean(),
                container.at("/securityContext/readOnlyRootFilesystem").asBoolean(),
                container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)),
                "non-root, read-only, no privilege escalation");
        assertTrue(volumeOn(deployment, "/tmp").has("emptyDir"), "/tmp is an emptyDir: Vert.x cannot start without it");
    }

    @Test
    void offerFindsThePartnerThroughItsServiceWithComposesSettings() throws IOException {
        Map<String, String> env = env(one(resources(manifest("offer")), "Deployment", "offer"));
        URI partner = URI.create(env.get("PARTNER_OFFER_URL"));
        JsonNode partnerService = one(resources(manifest("partner-offer")), "Service", partner.getHost());
        assertEquals(partner.getPort(), partnerService.at("/spec/ports/0/port").asInt());
        // The same variables as docker-compose.yml, and no more: nothing shadows the annotations' policy.
        Map<String, String> composeEnv = new TreeMap<>();
        compose().at("/services/offer/environment").forEachEntry((variable, value) -> composeEnv.put(variable, value.asText()));
        assertEquals(composeEnv, new TreeMap<>(env), "offer's environment as docker-compose.yml sets it");
    }

    @Test
    void kustomizeRendersBothServicesAndTheBoardWithConfigJsonAsItsConfigMap() throws IOException {
        List<JsonNode> rendered = rendered();
        for (String kind : List.of("Deployment", "Service")) {
            assertEquals(List.of("monitoror", "offer", "partner-offer"),
                    all(rendered, kind).stream().map(KubernetesDemoIT::nameOf).sorted().toList());
        }
        assertEquals(List.of(YAML.createObjectNode().put("config.json", Files.readString(Monitoror.CONFIG))),
                each(all(rendered, "ConfigMap"), configMap -> configMap.path("data")),
                "one ConfigMap, of a copy of config.json: cp config.json kubernetes/");
    }

    @Test
    void everyUrlOfTheBoardReachesAServiceOnItsPortAndItsPods() throws IOException {
        List<JsonNode> rendered = rendered();
        List<String> urls = YAML.readTree(Monitoror.CONFIG.toFile()).findValuesAsText("url");
        assertTrue(urls.size() >= 4, "the board's URLs: " + urls);
        for (URI url : urls.stream().map(URI::create).toList()) {
            JsonNode service = one(rendered, "Service", url.getHost());
            assertTrue(each(service.at("/spec/ports"), p -> p.path("port").asInt()).contains(url.getPort()), "port of " + url);
            assertTrue(all(rendered, "Deployment").stream().anyMatch(d -> selects(service, d)), "pods behind " + url);
        }
    }

    @Test
    void monitororRunsAsInComposeWithTheBoardMountedWhereItsSettingsSay() throws IOException {
        List<JsonNode> rendered = rendered();
        JsonNode monitoror = one(rendered, "Deployment", "monitoror");
        JsonNode container = monitoror.at("/spec/template/spec/containers/0");
        // compose as run without variables: "${MONITOROR_IMAGE:-monitoror/monitoror:4.0.1}" is the public image, and
        // "127.0.0.1:${MONITOROR_PORT:-38080}:8080" the Service's port, so that port-forward gives the same URL.
        JsonNode compose = compose().at("/services/monitoror");
        assertEquals(compose.path("image").asText().replaceAll("\\$\\{\\w+:-([^}]+)}", "$1"), container.path("image").asText());
        Map<String, String> env = env(monitoror);
        assertEquals(Monitoror.settings(), env, "the settings of monitoror/monitoror.env");
        String configDir = Path.of(env.get("MO_CONFIG")).getParent().toString();
        assertEquals(nameOf(all(rendered, "ConfigMap").get(0)), volumeOn(monitoror, configDir).at("/configMap/name").asText(),
                "the ConfigMap mounted on " + configDir);
        String[] published = compose.at("/ports/0").asText().replaceAll("\\$\\{\\w+:-(\\d+)}", "$1").split(":");
        assertEquals(Integer.parseInt(published[published.length - 2]),
                one(rendered, "Service", "monitoror").at("/spec/ports/0/port").asInt());
        assertEquals(List.of(published[published.length - 1]),
                each(container.path("ports"), p -> p.path("containerPort").asText()));
    }

    private static List<JsonNode> rendered() throws IOException {
        try {
            return resources(Compose.exec(List.of("kubectl", "kustomize", "kubernetes"), Duration.ofMinutes(1)));
        } catch (UncheckedIOException noKubectl) {
            return SkipReasons.skipOutsideCi("kubectl (with kustomize v5) is not on the PATH; .ci/run installs it");
        }
    }

    private static String manifest(String service) throws IOException {
        return Files.readString(Compose.ROOT.resolve(service + "/target/kubernetes/kubernetes.yml"));
    }

    /** A YAML stream's resources; an empty document (a trailing ---) is none. */
    private static List<JsonNode> resources(String yaml) throws IOException {
        return YAML.readerFor(JsonNode.class).<JsonNode> readValues(yaml).readAll().stream().filter(JsonNode::isObject).toList();
    }

    private static JsonNode compose() throws IOException {
        return YAML.readTree(Compose.ROOT.resolve("docker-compose.yml").toFile());
    }

    private static List<JsonNode> all(List<JsonNode> resources, String kind) {
        return resources.stream().filter(resource -> kind.equals(resource.path("kind").asText())).toList();
    }

    private static JsonNode one(List<JsonNode> resources, String kind, String name) {
        List<JsonNode> named = all(resources, kind).stream().filter(resource -> name.equals(nameOf(resource))).toList();
        assertEquals(1, named.size(),
                () -> "one " + kind + " named " + name + " in " + each(resources, KubernetesDemoIT::nameOf));
        return named.get(0);
    }

    private static String nameOf(JsonNode resource) {
        return resource.at("/metadata/name").asText();
    }

    private static <T, R> List<R> each(Iterable<T> items, Function<T, R> mapping) {
        List<R> mapped = new ArrayList<>();
        items.forEach(item -> mapped.add(mapping.apply(item)));
        return mapped;
    }

    private static boolean selects(JsonNode service, JsonNode deployment) {
        JsonNode labels = deployment.at("/spec/template/metadata/labels");
        return service.at("/spec/selector").propertyStream()
                .allMatch(label -> label.getValue().equals(labels.path(label.getKey())));
    }

    private static JsonNode volumeOn(JsonNode deployment, String path) {
        JsonNode pod = deployment.at("/spec/template/spec");
        String name = pod.at("/containers/0/volumeMounts").valueStream().filter(m -> m.path("mountPath").asText().equals(path))
                .findFirst().orElseThrow(() -> new AssertionError("nothing mounted on " + path)).path("name").asText();
        return pod.path("volumes").valueStream().filter(v -> v.path("name").asText().equals(name)).findFirst().orElseThrow();
    }

    private static Map<String, String> env(JsonNode deployment) {
        return deployment.at("/spec/template/spec/containers/0/env").valueStream()
                .collect(Collectors.toMap(v -> v.path("name").asText(), v -> v.path("value").asText()));
    }
}
