package io.portopt.server.tenant;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.portopt.server.system.MetricNames;
import io.portopt.server.system.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Every request but the health probes needs {@code Authorization: Bearer <key>}: without a valid key it gets a
 * 401, over its tenant's rate a 429 with Retry-After and the IETF RateLimit headers; otherwise the
 * tenant is attached to the request for the controllers. This runs before any body is read.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
public class TenantFilter extends OncePerRequestFilter {
    static final String POLICY = "\"tenant\"";
    private static final String BEARER = "bearer ";

    private final KeyVerifier keys;
    private final RateLimiter limiter;
    private final Counter unauthenticated;

    public TenantFilter(KeyVerifier keys, RateLimiter limiter, MeterRegistry registry) {
        this.keys = keys;
        this.limiter = limiter;
        this.unauthenticated = Counter.builder(MetricNames.UNAUTHENTICATED)
                .description("Requests refused with 401").register(registry);
    }

    /**
     * Everything but the health probes and the console's static files needs a key. An allow-list of
     * exact paths rather than a prefix test: an encoded path such as /%76%31/plans, or
     * /console/../v1/plans, must not reach a controller unauthenticated.
     */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return path.equals("/health/live") || path.equals("/health/ready") || CONSOLE_FILES.contains(path);
    }

    private static final java.util.Set<String> CONSOLE_FILES = java.util.Set.of(
            "/console/", "/console/index.html", "/console/console.js", "/console/console.css");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        String token = bearerToken(header);
        Optional<Tenant> tenant;
        try {
            tenant = token == null ? Optional.empty() : keys.verify(token);
        } catch (KeyVerifier.Busy e) {
            Problems.write(response, Problems.of(503, "Service Unavailable",
                    "the API key cannot be verified right now", request.getRequestURI(), List.of(), 1L));
            return;
        }
        if (tenant.isEmpty()) {
            unauthenticated.increment();
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE,
                    header == null ? "Bearer realm=\"portopt\"" : "Bearer realm=\"portopt\", error=\"invalid_token\"");
            Problems.write(response, Problems.of(401, "Unauthorized", header == null
                            ? "send an API key as Authorization: Bearer <key>"
                            : "the API key is not valid (unknown, malformed or revoked)",
                    request.getRequestURI(), List.of(), null));
            return;
        }
        RateLimiter.Decision decision = limiter.acquire(tenant.get());
        if (decision != null) {
            response.setHeader("RateLimit-Policy", POLICY + ";q=" + decision.quota() + ";w=" + decision.windowSeconds());
            response.setHeader("RateLimit", POLICY + ";r=" + decision.remaining() + ";t=" + decision.resetSeconds());
            if (!decision.allowed()) {
                ResponseEntity<byte[]> problem = Problems.of(429, "Too Many Requests",
                        "tenant '" + tenant.get().id() + "' is over its rate of " + tenant.get().ratePerSecond()
                                + " requests per second", request.getRequestURI(), List.of(), decision.retryAfterSeconds());
                Problems.write(response, problem);
                return;
            }
        }
        tenant.get().attachTo(request);
        chain.doFilter(request, response);
    }

    private static String bearerToken(String header) {
        if (header == null || header.length() <= BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return header.substring(BEARER.length()).trim();
    }
}
