package io.portopt.server.system;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * RED metrics of the API port: the {@code http.server.requests} timer, with the low-cardinality
 * tags Spring's own observation filter gives it (method, uri template, status, outcome, exception),
 * so dashboards and alert rules read the same series. Not kept from Spring's: the {@code error}
 * tag and the {@code http.server.requests.active} long-task timer, which nothing here reads.
 * A {@code /v1} request refused before any route matched (401, 429, a 503 from key verification)
 * is tagged {@code /v1/**} rather than UNKNOWN, so the API's availability figures see it.
 * <p>
 * Spring's filter is switched off (see application.yaml) because it is the largest single cost on
 * the cache-hit path: a profile of cached plan reads at ~5,000 requests/s spent about a sixth of the
 * server's CPU building an observation, its context, tag lists and an active-requests long-task
 * timer for each request. Here one timer per distinct tag set is looked up in a map and recorded.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class HttpMetrics extends OncePerRequestFilter {
    public static final String METRIC = "http.server.requests";
    /** Set by handlers that answer before Spring MVC's mapping runs, to keep their route's tag. */
    public static final String ROUTE_ATTRIBUTE = HttpMetrics.class.getName() + ".route";
    /** Any other method token is tagged UNKNOWN: a hostile client must not mint new series. */
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");

    private record Tags(String method, String uri, int status, String exception) {
    }

    private final MeterRegistry registry;
    private final ConcurrentMap<Tags, Timer> timers = new ConcurrentHashMap<>();

    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long t0 = System.nanoTime();
        Throwable failure = null;
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            if (!request.isAsyncStarted()) {    // no async handlers here; recording one would count it twice
                record(request, response, failure, t0);
            }
        }
    }

    private void record(HttpServletRequest request, HttpServletResponse response, Throwable failure, long t0) {
        int status = response.getStatus();
        if (failure != null && status < 400) {
            status = 500;   // the container turns an escaping exception into a 500
        }
        Tags tags = new Tags(METHODS.contains(request.getMethod()) ? request.getMethod() : "UNKNOWN",
                route(request, status), status, failure == null ? "none" : exceptionName(failure));
        timers.computeIfAbsent(tags, this::timer).record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** The matched route template, never the raw path (that would make a series per plan id). */
    private static String route(HttpServletRequest request, int status) {
        Object route = request.getAttribute(ROUTE_ATTRIBUTE);
        if (route == null) {
            route = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        }
        if (route instanceof String s && !s.isEmpty()) {
            return s;
        }
        if (status >= 300 && status < 400) {
            return "REDIRECTION";
        }
        if (status == 404) {
            return "NOT_FOUND";
        }
        return request.getRequestURI().startsWith("/v1/") ? "/v1/**" : "UNKNOWN";
    }

    private static String exceptionName(Throwable failure) {
        Throwable cause = failure instanceof ServletException && failure.getCause() != null ? failure.getCause() : failure;
        String name = cause.getClass().getSimpleName();
        return name.isEmpty() ? cause.getClass().getName() : name;
    }

    private Timer timer(Tags tags) {
        return Timer.builder(METRIC)
                .tag("method", tags.method())
                .tag("uri", tags.uri())
                .tag("status", Integer.toString(tags.status()))
                .tag("outcome", outcome(tags.status()))
                .tag("exception", tags.exception())
                .register(registry);
    }

    private static String outcome(int status) {
        if (status >= 100 && status < 200) {
            return "INFORMATIONAL";
        }
        if (status >= 200 && status < 300) {
            return "SUCCESS";
        }
        if (status >= 300 && status < 400) {
            return "REDIRECTION";
        }
        if (status >= 400 && status < 500) {
            return "CLIENT_ERROR";
        }
        return status >= 500 && status < 600 ? "SERVER_ERROR" : "UNKNOWN";
    }
}
