package io.portopt.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A constant-arrival-rate load through a plain HTTP client with no retries of its own, so every
 * failure the load balancer and servers do not absorb is counted. Bounded in count and time.
 */
final class OpenLoad implements AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> planIds = new ConcurrentLinkedQueue<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong slowestOkMillis = new java.util.concurrent.atomic.AtomicLong();
    private final int maxRequests;
    private final Duration timeout;

    OpenLoad(URI url, double perSecond, int maxRequests, IntFunction<String> body) {
        this(url, perSecond, maxRequests, body, Duration.ofSeconds(30));
    }

    /** As above, each request given up after {@code timeout} (counted as HttpTimeoutException). */
    OpenLoad(URI url, double perSecond, int maxRequests, IntFunction<String> body, Duration timeout) {
        this.maxRequests = maxRequests;
        this.timeout = timeout;
        long periodMicros = (long) (1_000_000 / perSecond);
        ticker.scheduleAtFixedRate(() -> {
            int n = sent.getAndIncrement();
            if (n >= maxRequests) {
                return;
            }
            Thread.ofVirtual().start(() -> send(url, body.apply(n)));
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    private void send(URI url, String body) {
        String outcome;
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + Launcher.devApiKey())
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            outcome = Integer.toString(r.statusCode());
            if (r.statusCode() == 200) {
                int at = r.body().indexOf("\"id\":\"");
                planIds.add(r.body().substring(at + 6, at + 42));
                slowestOkMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
            }
        } catch (Exception e) {
            outcome = e.getClass().getSimpleName();
        }
        outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
        done.incrementAndGet();
    }

    /** Stops sending and waits for the requests in flight. */
    Map<String, Integer> finish(Duration wait) throws InterruptedException {
        ticker.shutdownNow();
        int expected = Math.min(sent.get(), maxRequests);
        long deadline = System.nanoTime() + wait.toNanos();
        while (done.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Map<String, Integer> out = new java.util.TreeMap<>();
        outcomes.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** The longest time a request took to get its 200. */
    long slowestOkMillis() {
        return slowestOkMillis.get();
    }

    List<String> planIds() {
        return List.copyOf(planIds);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
