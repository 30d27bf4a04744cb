package io.portopt.server.system;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code X-Request-Id} in and out: the load balancer's (or the client's) id is kept when it is a
 * sane token, otherwise a new one is made; it is echoed on the response and put in the logging
 * context so every log line of the request carries it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestIds extends OncePerRequestFilter {
    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "request_id";
    /** Ids are echoed into headers and logs: nothing that could split a line or a header. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:+/=-]{1,128}");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String id = request.getHeader(HEADER);
        if (id == null || !SAFE.matcher(id).matches()) {
            // A correlation id needs uniqueness, not unpredictability: no SecureRandom on the hot path.
            java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            id = new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
                    (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
        }
        request.setAttribute(MDC_KEY, id);
        response.setHeader(HEADER, id);
        MDC.put(MDC_KEY, id);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove(MDC_KEY);
        }
    }

    public static String of(HttpServletRequest request) {
        return request.getAttribute(MDC_KEY) instanceof String s ? s : null;
    }
}
