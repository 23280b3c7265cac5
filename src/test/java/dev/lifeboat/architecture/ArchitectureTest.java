package dev.lifeboat.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package structure of docs/architecture.md, checked on the compiled classes (tests excluded):
 * no cycles between {@code dev.lifeboat.*} packages, and dependencies only in the allowed direction,
 * API → job handlers → building blocks → config.
 */
class ArchitectureTest {
    static final String BASE = "dev.lifeboat";

    /**
     * Every package and the packages it may use (besides itself). The order is the direction: a package
     * only uses packages listed before it. Job handlers use each other one way: drill → restore → backup,
     * retention → backup, notify → backup and drill.
     */
    static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();

    static {
        ALLOWED.put("config", Set.of());
        // building blocks
        ALLOWED.put("crypto", Set.of());
        ALLOWED.put("compress", Set.of());
        ALLOWED.put("job", Set.of("config"));
        ALLOWED.put("target", Set.of("config"));
        ALLOWED.put("auth", Set.of("config"));
        ALLOWED.put("storage", Set.of("config"));
        ALLOWED.put("pg", Set.of("config", "target"));
        // job handlers
        Set<String> blocks = Set.of("config", "crypto", "compress", "job", "target", "storage", "pg");
        ALLOWED.put("backup", blocks);
        ALLOWED.put("restore", plus(blocks, "backup"));
        ALLOWED.put("drill", plus(blocks, "backup", "restore"));
        ALLOWED.put("retention", plus(blocks, "backup"));
        ALLOWED.put("notify", plus(blocks, "backup", "drill"));
        // entry points: the API, the scheduler and the health checks
        Set<String> handlers = plus(blocks, "auth", "backup", "restore", "drill", "retention", "notify");
        ALLOWED.put("schedule", handlers);
        ALLOWED.put("health", handlers);
        ALLOWED.put("api", handlers);
    }

    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(BASE);
    }

    @Test
    void noPackageCycles() {
        slices().matching(BASE + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void layersDependOnlyDownwards() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Entry points").definedBy(packages("api", "schedule", "health"))
                .layer("Job handlers").definedBy(packages("backup", "restore", "drill", "retention", "notify"))
                .layer("Building blocks").definedBy(packages("job", "pg", "storage", "crypto", "compress", "target", "auth"))
                .layer("Config").definedBy(packages("config"))
                .whereLayer("Entry points").mayNotBeAccessedByAnyLayer()
                .whereLayer("Job handlers").mayOnlyBeAccessedByLayers("Entry points")
                .whereLayer("Building blocks").mayOnlyBeAccessedByLayers("Entry points", "Job handlers")
                .whereLayer("Config").mayOnlyBeAccessedByLayers("Entry points", "Job handlers", "Building blocks")
                .check(classes);
    }

    @Test
    void eachPackageUsesOnlyWhatItIsAllowedTo() {
        Set<String> all = new TreeSet<>(ALLOWED.keySet());
        for (Map.Entry<String, Set<String>> p : ALLOWED.entrySet()) {
            List<String> forbidden = all.stream().filter(q -> !q.equals(p.getKey()) && !p.getValue().contains(q)).toList();
            if (forbidden.isEmpty()) {
                continue;
            }
            ArchRule rule = noClasses().that().resideInAPackage(BASE + "." + p.getKey() + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(packages(forbidden.toArray(String[]::new)))
                    .because(p.getKey() + " may use only " + new TreeSet<>(p.getValue()) + " (docs/architecture.md)");
            rule.check(classes);
        }
    }

    @Test
    void everyPackageHasItsPlace() {
        Set<String> found = new TreeSet<>();
        classes.forEach(c -> {
            String rest = c.getPackageName().substring(BASE.length());
            if (!rest.isEmpty()) {
                found.add(rest.substring(1).split("\\.")[0]);
            }
        });
        org.assertj.core.api.Assertions.assertThat(ALLOWED.keySet())
                .as("a new package needs its place in ALLOWED and in docs/architecture.md").containsAll(found);
    }

    private static String[] packages(String... names) {
        return java.util.Arrays.stream(names).map(n -> BASE + "." + n + "..").toArray(String[]::new);
    }

    private static Set<String> plus(Set<String> base, String... more) {
        Set<String> s = new TreeSet<>(base);
        s.addAll(List.of(more));
        return Set.copyOf(s);
    }
}
