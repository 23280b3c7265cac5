package dev.lifeboat.api;

import dev.lifeboat.auth.Requires;
import dev.lifeboat.auth.Role;
import dev.lifeboat.auth.Tokens;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer-token authentication and role check for every API resource method: 401 without a valid
 * token, 403 when the token's role is below the method's {@link Requires}.
 */
public class AuthFilter {
    public static final String CALLER = "lifeboat.caller";

    @Inject
    Tokens tokens;
    @Inject
    CurrentCaller current;

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request, SimpleResourceInfo resource) {
        Role needed = requiredRole(resource);
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String token = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = header.substring(7).trim();
        }
        Optional<Tokens.Caller> caller = tokens.authenticate(token);
        if (caller.isEmpty()) {
            String detail = header == null
                    ? "This API needs a bearer token: send 'Authorization: Bearer <token>'."
                    : "The bearer token is not valid.";
            return Optional.of(Problem.response(Response.Status.UNAUTHORIZED, detail, request)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"lifeboat\"").build());
        }
        request.setProperty(CALLER, caller.get()); // also for a refusal: the audit log names who was refused
        if (!caller.get().role().includes(needed)) {
            return Optional.of(Problem.response(Response.Status.FORBIDDEN,
                    "This needs the " + needed.id() + " role; token '" + caller.get().tokenName() + "' has the "
                            + caller.get().role().id() + " role.", request).build());
        }
        current.set(caller.get());
        return Optional.empty();
    }

    private static final Map<String, Role> ROLES = new ConcurrentHashMap<>();

    private static Role requiredRole(SimpleResourceInfo resource) {
        String key = resource.getResourceClass().getName() + "#" + resource.getMethodName()
                + Arrays.toString(resource.parameterTypes());
        return ROLES.computeIfAbsent(key, k -> lookUpRole(resource));
    }

    private static Role lookUpRole(SimpleResourceInfo resource) {
        try {
            Method m = resource.getResourceClass().getMethod(resource.getMethodName(), resource.parameterTypes());
            Requires r = m.getAnnotation(Requires.class);
            if (r == null) {
                r = resource.getResourceClass().getAnnotation(Requires.class);
            }
            return r == null ? Role.ADMIN : r.value();
        } catch (NoSuchMethodException e) {
            return Role.ADMIN;
        }
    }
}
