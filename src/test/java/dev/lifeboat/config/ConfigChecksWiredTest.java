package dev.lifeboat.config;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The running service collects every package's ConfigCheck (the list ConfigValidationTest checks with). */
@QuarkusTest
class ConfigChecksWiredTest {
    @Inject
    Instance<ConfigCheck> checks;

    @Test
    void everyPackagesCheckRunsAtStartUp() {
        List<Class<?>> found = new ArrayList<>();
        checks.forEach(c -> found.add(c.getClass().getName().contains("_ClientProxy") ? c.getClass().getSuperclass() : c.getClass()));
        assertThat(found).containsExactlyInAnyOrderElementsOf(ConfigValidationTest.ALL_CHECKS.stream().<Class<?>>map(Object::getClass).toList());
    }
}
