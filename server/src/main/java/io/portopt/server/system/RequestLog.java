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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Logs every /v1 request off the request path: as a JSON access-log line on stdout (the same shape
 * as the servers' other log lines, logger {@code portopt.access}, with the request id and tenant,
 * never a header value such as the API key), and — all but successful reads — as a row of
 * PostgreSQL's request_log.
 * Entries go to a bounded buffer that a background thread writes in batches: one write for many log
 * lines and one INSERT for many rows, which at thousands of requests per second costs a fraction of
 * a logging call per request. A full buffer drops entries (counted); it never slows or fails a request.
 */
@Component
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE + 10)
public class RequestLog extends OncePerRequestFilter implements DisposableBean {
    private static final int CAPACITY = 20_000;
    private static final int BATCH = 500;
    private static final long PAUSE_MILLIS = 50;
    private static final int MAX_PATH = 200;

    record Entry(Instant at, String method, String path, int status, double millis, String cacheStatus,
                 String tenant, String requestId) {
    }


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
            if (!buffer.offer(e)) {
                dropped.increment();
            }
        }
    }

    /**
     * Writes what has gathered, then pauses unless the batch was full: entries are taken in batches
     * of up to {@value #BATCH} every {@value #PAUSE_MILLIS} ms. Waking for each entry as it arrives
     * made every "batch" a single line at thousands of requests a second: a write, a flush and a
     * thread wake-up per request, an eighth of the server's CPU on the cache-hit path.
     */
    private void drain() {
        List<Entry> batch = new ArrayList<>(BATCH);
        while (running || !buffer.isEmpty()) {
            try {
                buffer.drainTo(batch, BATCH);
                if (!batch.isEmpty()) {
                    printAccessLog(batch);
                    List<Entry> rows = batch.stream().filter(RequestLog::worthARow).toList();
                    if (!rows.isEmpty()) {
                        write(rows);
                    }
                }
                if (batch.size() < BATCH && running) {
                    Thread.sleep(PAUSE_MILLIS);
                }
            } catch (InterruptedException e) {
                if (!running) {
                    continue;   // shutting down: write what is left, then stop
                }
            } catch (RuntimeException e) {
                // The database is down: these rows are lost, by design; requests are unaffected.
                dropped.increment(batch.size());
                if (running) {
                    sleepQuietly();
                }
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Every request goes to the access log; the database keeps the ones that changed or computed
     * something, and every refusal or failure. Successful reads (thousands a second on the cache-hit
     * path) would otherwise cost the primary, and its replica, more CPU than serving them.
     */
    private static boolean worthARow(Entry e) {
        return !"GET".equals(e.method()) || e.status() >= 400;
    }

    private void printAccessLog(List<Entry> batch) {
        StringBuilder lines = new StringBuilder(batch.size() * 320);
        for (Entry e : batch) {
            lines.append("{\"@timestamp\":\"").append(e.at()).append("\",\"log\":{\"level\":\"INFO\",\"logger\":\"portopt.access\"}")
                    .append(",\"service\":{\"name\":\"portopt\",\"node\":{\"name\":");
            quoted(lines, serverName).append("}},\"message\":");
            escaped(lines.append('"'), e.method()).append(' ');
            escaped(lines, e.path()).append(' ').append(e.status()).append("\",\"request_id\":");
            quoted(lines, e.requestId()).append(",\"method\":");
            quoted(lines, e.method()).append(",\"path\":");
            quoted(lines, e.path()).append(",\"status\":").append(e.status())
                    .append(",\"millis\":").append(Math.round(e.millis() * 10) / 10.0).append(",\"cache_status\":");
            quoted(lines, e.cacheStatus()).append(",\"tenant\":");
            quoted(lines, e.tenant()).append(",\"ecs\":{\"version\":\"8.11\"}}\n");
        }
        // System.out as it is now (tests capture it); one write and one flush for the whole batch.
        byte[] bytes = lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.PrintStream out = System.out;
        out.write(bytes, 0, bytes.length);
        out.flush();
    }

    /** A JSON string (or null): quotes, backslashes and control characters escaped. */
    private static StringBuilder quoted(StringBuilder out, String s) {
        return s == null ? out.append("null") : escaped(out.append('"'), s).append('"');
    }

    /** The body of a JSON string: quotes, backslashes and control characters escaped. */
    private static StringBuilder escaped(StringBuilder out, String s) {
        if (!needsEscaping(s)) {
            return out.append(s);   // the usual case: one copy, not a char at a time
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out;
    }

    private static boolean needsEscaping(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c == 0x2028 || c == 0x2029) {
                return true;
            }
        }
        return false;
    }

    /** One INSERT for the whole batch, its columns as arrays: nine parameters whatever the batch size. */
    private void write(List<Entry> batch) {
        int n = batch.size();
        String[] at = new String[n];
        String[] method = new String[n];
        String[] path = new String[n];
        Integer[] status = new Integer[n];
        Double[] millis = new Double[n];
        String[] cacheStatus = new String[n];
        String[] tenant = new String[n];
        String[] requestId = new String[n];
        for (int i = 0; i < n; i++) {
            Entry e = batch.get(i);
            at[i] = e.at().toString();
            method[i] = e.method();
            path[i] = e.path();
            status[i] = e.status();
            millis[i] = e.millis();
            cacheStatus[i] = e.cacheStatus();
            tenant[i] = e.tenant();
            requestId[i] = e.requestId();
        }
        jdbc.sql("""
                INSERT INTO request_log (at, method, path, status, millis, cache_status, server, tenant_id, request_id)
                SELECT a, m, p, s, ms, c, ?, t, r
                FROM unnest(?::timestamptz[], ?::text[], ?::text[], ?::int[], ?::float8[], ?::text[], ?::text[], ?::text[])
                     AS u(a, m, p, s, ms, c, t, r)
                """).params(serverName, at, method, path, status, millis, cacheStatus, tenant, requestId).update();
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
        // The writer sees running=false, writes what is left and stops; it is interrupted only if
        // that takes too long (an interrupt in the middle of a JDBC write would drop the batch).
        running = false;
        try {
            writer.join(Duration.ofSeconds(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
        }
    }
}
