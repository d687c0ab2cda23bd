package dev.fastcircuitbreaker.offer;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * What a newcomer copies from offer: the pattern in one package that stands alone, each guarantee beyond it a layer in a
 * package of its own, the libraries' public API, and classes that read in one direction. ArchUnit's rules, checked from
 * plain JUnit tests (its own JUnit engine finds no test under the JUnit Platform that Quarkus 3.33 brings).
 */
class OfferArchitectureTest {

    /** The pattern: the resource, the guarded client, the REST client, the offer, the circuit's health check. */
    private static final String CORE = OfferArchitectureTest.class.getPackageName();
    private static final Path CORE_SOURCES = Path.of("src/main/java", CORE.replace('.', '/'));

    private static final JavaClasses OFFER = new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests())
            .importPackagesOf(OfferArchitectureTest.class);

    /**
     * What is no library's public API: the implementation packages of Vert.x, RESTEasy Reactive and Quarkus (and of
     * any other library that names them so), and every package of SmallRye Fault Tolerance but its {@code api}.
     */
    static final DescribedPredicate<JavaClass> LIBRARY_INTERNALS = resideInAnyPackage("..impl..", "..internal..")
            .or(resideInAPackage("io.smallrye.faulttolerance..").and(not(resideInAPackage("io.smallrye.faulttolerance.api.."))))
            .as("are implementation classes of Vert.x, RESTEasy Reactive, Quarkus or SmallRye Fault Tolerance (outside its api)");

    /** The only implementation classes offer uses, each with the public API that is missing for it. */
    static final Map<String, String> INTERNALS_WITHOUT_A_PUBLIC_API = Map.of(
            "io.vertx.core.impl.VertxInternal",
            "Vert.x has no public API for a context on event loops of one's own, which keep the partner's answers off the"
                    + " loops busy with offer's callers (bench/ANALYSIS.md, \"The hot path on loops of its own\"; on the 2,048 burst: margin and hot answers,"
                    + " \"The partner's own loops against Quarkus' loops\"), and"
                    + " Quarkus' REST client runs only on Quarkus' Vertx instance (PartnerOfferBounds, docs/hostile-input.md)");

    @Test
    void usesNoLibraryInternalsButTheListedOnes() {
        noClasses().should().dependOnClassesThat(LIBRARY_INTERNALS
                .and(not(nameMatching(String.join("|", INTERNALS_WITHOUT_A_PUBLIC_API.keySet()).replace(".", "\\.")))))
                .because("implementation classes change without notice; " + INTERNALS_WITHOUT_A_PUBLIC_API)
                .check(OFFER);
    }

    @Test
    void theCoreUsesNoLayer() {
        noClasses().that().resideInAPackage(CORE).should().dependOnClassesThat(
                resideInAPackage(CORE + "..").and(not(resideInAPackage(CORE))))
                .because("the pattern is copied alone: each layer hangs on it through CDI, config or the REST client's"
                        + " extension points, never the other way")
                .check(OFFER);
    }

    @Test
    void theCoreIsSmallEnoughToReadInOneSitting() throws IOException {
        List<Path> classes;
        try (var files = Files.list(CORE_SOURCES)) {
            classes = files.filter(file -> file.toString().endsWith(".java")).toList();
        }
        long lines = 0;
        for (Path file : classes) {
            lines += Files.readAllLines(file).size();
        }
        assertTrue(classes.size() <= 10, () -> "at most 10 classes in the core: " + classes);
        assertTrue(lines <= 450, "at most 450 lines in the core, comments included: " + lines);
    }

    /** The bytecode rule above cannot see an import that only a javadoc uses; copied alone, it would not compile. */
    @Test
    void theCoreSourcesImportNoLayer() throws IOException {
        List<String> imports;
        try (var files = Files.list(CORE_SOURCES)) {
            imports = files.filter(file -> file.toString().endsWith(".java")).flatMap(file -> {
                try {
                    return Files.readAllLines(file).stream().filter(line -> line.startsWith("import " + CORE + "."))
                            .map(line -> file.getFileName() + ": " + line);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
        assertEquals(List.of(), imports, "the core's sources import no layer");
    }

    @Test
    void layersDependOnEachOtherInNoCycle() {
        slices().matching(CORE + ".(*)..").should().beFreeOfCycles().check(OFFER);
    }

    @Test
    void classesDependOnEachOtherInNoCycle() {
        slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                // A nested class belongs to its outer class; the libraries' classes are no slice.
                if (!javaClass.getPackageName().startsWith(CORE)) {
                    return SliceIdentifier.ignore();
                }
                String name = javaClass.getName();
                return SliceIdentifier.of(name.contains("$") ? name.substring(0, name.indexOf('$')) : name);
            }

            @Override
            public String getDescription() {
                return "offer's classes, each with its nested classes";
            }
        }).should().beFreeOfCycles().check(OFFER);
    }
}
