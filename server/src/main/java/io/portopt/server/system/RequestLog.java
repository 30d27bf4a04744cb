package io.portopt.server.system;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Logs every /v1 request twice: as a JSON access-log line (logger {@code portopt.access}, with the
 * request id and tenant, never a header value such as the API key), and to PostgreSQL's request_log,
 * off the request path: rows go to a bounded buffer that a background thread writes in batches. A
 * full buffer drops rows (counted), it never slows or fails a request.
 */
@Component
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE + 10)
public class RequestLog extends OncePerRequestFilter implements DisposableBean {
    private static final int CAPACITY = 20_000;
    private static final int BATCH = 500;
    private static final int MAX_PATH = 200;

    record Entry(Instant at, String method, String path, int status, double millis, String cacheStatus,
                 String tenant, String requestId) {
    }

    private static final org.slf4j.Logger access = org.slf4j.LoggerFactory.getLogger("portopt.access");

    private final JdbcClient jdbc;
    private final String serverName;
    private final BlockingQueue<Entry> buffer = new ArrayBlockingQueue<>(CAPACITY);
    private final Counter dropped;
    private final Thread writer;
    private volatile boolean running = true;

    public RequestLog(JdbcClient jdbc, MeterRegistry registry, @Value("${portopt.server-name:portopt}") String serverName) {
        this.jdbc = jdbc;
        this.serverName = serverName;
        this.dropped = Counter.builder(MetricNames.REQUEST_LOG_DROPPED).register(registry);
        this.writer = Thread.ofVirtual().name("request-log").start(this::drain);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/v1/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long t0 = System.nanoTime();
        try {
            chain.doFilter(request, response);
        } finally {
            String path = request.getRequestURI();
            if (path.length() > MAX_PATH) {
                path = path.substring(0, MAX_PATH);
            }
            io.portopt.server.tenant.Tenant tenant = io.portopt.server.tenant.Tenant.orNull(request);
            Entry e = new Entry(Instant.now(), request.getMethod(), path, response.getStatus(),
                    (System.nanoTime() - t0) / 1e6, response.getHeader("Cache-Status"),
                    tenant == null ? null : tenant.id(), RequestIds.of(request));
            access.atInfo().setMessage("{} {} {}")
                    .addArgument(e.method()).addArgument(e.path()).addArgument(e.status())
                    .addKeyValue("method", e.method()).addKeyValue("path", e.path())
                    .addKeyValue("status", e.status()).addKeyValue("millis", Math.round(e.millis() * 10) / 10.0)
                    .addKeyValue("cache_status", e.cacheStatus()).addKeyValue("tenant", e.tenant())
                    .log();
            if (!buffer.offer(e)) {
                dropped.increment();
            }
        }
    }

    private void drain() {
        List<Entry> batch = new ArrayList<>(BATCH);
        while (running || !buffer.isEmpty()) {
            try {
                Entry first = buffer.poll(500, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                buffer.drainTo(batch, BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            } catch (RuntimeException e) {
                // The database is down: these rows are lost, by design; requests are unaffected.
                dropped.increment(batch.size());
                sleepQuietly();
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Entry> batch) {
        StringBuilder sql = new StringBuilder(
                "INSERT INTO request_log (at, method, path, status, millis, cache_status, server, tenant_id, request_id) VALUES ");
        List<Object> params = new ArrayList<>(batch.size() * 9);
        for (int i = 0; i < batch.size(); i++) {
            Entry e = batch.get(i);
            sql.append(i == 0 ? "" : ",").append("(?, ?, ?, ?, ?, ?, ?, ?, ?)");
            params.add(e.at().atOffset(ZoneOffset.UTC));
            params.add(e.method());
            params.add(e.path());
            params.add(e.status());
            params.add(e.millis());
            params.add(e.cacheStatus());
            params.add(serverName);
            params.add(e.tenant());
            params.add(e.requestId());
        }
        jdbc.sql(sql.toString()).params(params).update();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void destroy() {
        running = false;
        writer.interrupt();
    }
}
