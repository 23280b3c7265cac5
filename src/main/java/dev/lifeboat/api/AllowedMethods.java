package dev.lifeboat.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which HTTP methods the API answers on a path, for a 405's {@code Allow} header and detail: read once
 * from the resource classes' {@code @Path} and method annotations (every resource is a CDI bean), so
 * it stays true as resources change.
 */
@ApplicationScoped
public class AllowedMethods {
    private record Route(Pattern path, String method) {
    }

    @Inject
    BeanManager beans;

    private volatile List<Route> routes;

    /** The methods the API answers on this path (with HEAD beside GET), sorted; empty if none. */
    public Set<String> on(String path) {
        Set<String> allowed = new TreeSet<>();
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        for (Route r : routes()) {
            if (r.path().matcher(p).matches()) {
                allowed.add(r.method());
                if (r.method().equals(HttpMethod.GET)) {
                    allowed.add(HttpMethod.HEAD);
                }
            }
        }
        return allowed;
    }

    private List<Route> routes() {
        List<Route> r = routes;
        if (r == null) {
            r = new ArrayList<>();
            for (Bean<?> bean : beans.getBeans(Object.class)) {
                Class<?> type = bean.getBeanClass();
                Path base = type.getAnnotation(Path.class);
                if (base == null || !type.getPackageName().equals(AllowedMethods.class.getPackageName())) {
                    continue;
                }
                for (Method m : type.getMethods()) {
                    String method = httpMethod(m);
                    if (method != null) {
                        Path sub = m.getAnnotation(Path.class);
                        r.add(new Route(template(base.value() + (sub == null ? "" : "/" + sub.value())), method));
                    }
                }
            }
            routes = r;
        }
        return r;
    }

    private static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod http = a.annotationType().getAnnotation(HttpMethod.class);
            if (http != null) {
                return http.value();
            }
        }
        return null;
    }

    /** {@code /api/v1/jobs/{id}/cancel} → a pattern where each {@code {param}} is one path segment. */
    static Pattern template(String path) {
        String clean = ("/" + path).replaceAll("/+", "/");
        if (clean.length() > 1 && clean.endsWith("/")) {
            clean = clean.substring(0, clean.length() - 1);
        }
        StringBuilder regex = new StringBuilder();
        for (String part : clean.split("(?=\\{)|(?<=\\})")) {
            regex.append(part.startsWith("{") ? "[^/]+" : Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
