package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/** Kubernetes manifests, a YAML stream of resources, read into fabric8's model; kinds not named here stay generic. */
record Manifests(List<HasMetadata> resources) {

    static final YAMLMapper YAML = new YAMLMapper();

    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "Deployment", Deployment.class, "Service", Service.class, "ConfigMap", ConfigMap.class);

    static Manifests parse(String yaml) {
        List<HasMetadata> resources = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            for (JsonNode document : documents.readAll()) {
                if (document != null && !document.isEmpty()) {
                    resources.add(YAML.treeToValue(document, KINDS.getOrDefault(document.path("kind").asText(),
                            GenericKubernetesResource.class)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Manifests(resources);
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
