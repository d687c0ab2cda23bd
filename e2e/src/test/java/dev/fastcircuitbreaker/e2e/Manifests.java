package dev.fastcircuitbreaker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Kubernetes manifests, a YAML stream of resources in fabric8's model (a kind it lacks, e.g. ServiceMonitor, stays generic). */
record Manifests(List<HasMetadata> resources) {

    static final YAMLMapper YAML = new YAMLMapper();

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
