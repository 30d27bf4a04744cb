package io.portopt.server.plan;

import io.portopt.server.tenant.Tenant;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * The hot read path: {@code GET /v1/plans/{id}} of a plan this server holds in memory is answered
 * here with its stored bytes, before Spring MVC's dispatch (handler lookup, argument resolution,
 * return-value handling), which costs more than the rest of the request put together. Runs after
 * authentication, so the tenant is known and the lookup is scoped to it; anything else — a plan not
 * in memory, another tenant's id, a malformed id — goes on to {@link PlanController}, which answers
 * exactly as before.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 30)
class CachedPlanReads extends OncePerRequestFilter {
    private static final String PREFIX = "/v1/plans/";
    private static final int UUID_LENGTH = 36;
    private static final String PATTERN = PREFIX + "{id}";

    private final PlanStore store;

    CachedPlanReads(PlanStore store) {
        this.store = store;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return !"GET".equals(request.getMethod()) || uri.length() != PREFIX.length() + UUID_LENGTH || !uri.startsWith(PREFIX);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Tenant tenant = Tenant.orNull(request);
        byte[] body = tenant == null ? null : store.findInMemory(tenant.id(), request.getRequestURI().substring(PREFIX.length()));
        if (body == null) {
            chain.doFilter(request, response);
            return;
        }
        // Metrics see the same route as the controller's.
        request.setAttribute(io.portopt.server.system.HttpMetrics.ROUTE_ATTRIBUTE, PATTERN);
        response.setStatus(200);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
