package io.portopt.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SDK's retries against a real local HTTP server that fails on purpose; time is fake, so nothing sleeps. */
class RetryTest {
    private static final String PLAN = """
            {"id":"11111111-2222-4333-8444-555555555555","assignments":[],"unassigned":[],
             "objective":{"weightedTurnaroundMinutes":0.0},
             "quality":{"source":"solved","degraded":false,"solveMillis":1}}""";

    /** What the server does with one request. */
    @FunctionalInterface
    interface Behaviour {
        void answer(HttpExchange exchange) throws IOException;
    }

    record Seen(String method, String path, String idempotencyKey, String attempt) {
    }

    /** Fake monotonic clock whose sleeper advances it and records every delay. */
    static final class FakeTime implements Ticker, Sleeper {
        long now = 1_000_000_000L;
        final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());

        @Override
        public synchronized long nanoTime() {
            return now;
        }

        @Override
        public synchronized void sleep(Duration delay) {
            sleeps.add(delay);
            now += delay.toNanos();
        }
    }

    private HttpServer server;
    private ExecutorService executor;
    private URI base;
    private final ConcurrentLinkedDeque<Behaviour> script = new ConcurrentLinkedDeque<>();
    private volatile Behaviour fallback = ex -> respond(ex, 200, PLAN, null);
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final FakeTime time = new FakeTime();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                    ex.getRequestHeaders().getFirst(PortoptClient.IDEMPOTENCY_KEY),
                    ex.getRequestHeaders().getFirst(PortoptClient.ATTEMPT)));
            Behaviour next = script.pollFirst();
            (next != null ? next : fallback).answer(ex);
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void respond(HttpExchange ex, int status, String body, String retryAfter) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", status == 200 ? "application/json" : "application/problem+json");
        if (retryAfter != null) {
            ex.getResponseHeaders().set("Retry-After", retryAfter);
        }
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Behaviour status(int status, String retryAfter) {
        return ex -> respond(ex, status, "{\"status\":" + status + "}", retryAfter);
    }

    /** Closes the connection without any answer, as a server killed mid-request would. */
    private static Behaviour hangUp() {
        return HttpExchange::close;
    }

    private void failTimes(int n, Behaviour b) {
        for (int i = 0; i < n; i++) {
            script.add(b);
        }
    }

    private PortoptClient client(RetryPolicy policy) {
        return client(policy, new SplittableRandom(42));
    }

    private PortoptClient client(RetryPolicy policy, RandomGenerator random) {
        return PortoptClient.builder(base).retryPolicy(policy).ticker(time).sleeper(time).random(random)
                .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void a503WithRetryAfterIsRetriedAfterThatTimeWithTheSameIdempotencyKey() throws Exception {
        failTimes(2, status(503, "1"));
        PortoptClient client = client(RetryPolicy.defaults());

        PlanResponse plan = client.createPlan("{}");

        assertEquals("11111111-2222-4333-8444-555555555555", plan.id());
        assertEquals(3, client.attempts());
        assertEquals(2, client.retries());
        assertEquals(0, client.retryBudgetDenied());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(1)), time.sleeps,
                "Retry-After: 1 outweighs the 100-200 ms backoff");
        assertEquals(3, seen.size());
        String key = seen.getFirst().idempotencyKey();
        assertNotNull(key);
        assertEquals(key, UUIDs.parse(key), "a UUID");
        assertTrue(seen.stream().allMatch(s -> key.equals(s.idempotencyKey())), "same key on every attempt: " + seen);
        assertEquals(List.of("1", "2", "3"), seen.stream().map(Seen::attempt).toList(),
                "a key the client made up carries its attempt number, so the server knows attempt 1 is new");
    }

    @Test
    void a429RetryAfterIsHonouredAndAFractionalOneToo() throws Exception {
        script.add(status(429, "2"));
        script.add(status(503, "0.25"));
        PortoptClient client = client(RetryPolicy.builder().baseDelay(Duration.ofMillis(10)).build());

        client.createPlan("{}");

        assertEquals(3, client.attempts());
        assertEquals(Duration.ofSeconds(2), time.sleeps.get(0));
        assertEquals(Duration.ofMillis(250), time.sleeps.get(1));
    }

    @Test
    void eachLogicalCallGetsItsOwnKeyAndTheCallersKeyIsUsedAsGiven() throws Exception {
        PortoptClient client = client(RetryPolicy.defaults());
        client.createPlan("{}");
        client.createPlan("{}");
        script.add(status(503, "0"));
        client.createPlan("{}", "my-key-1");

        assertEquals(4, seen.size());
        assertNotEquals(seen.get(0).idempotencyKey(), seen.get(1).idempotencyKey());
        assertEquals("my-key-1", seen.get(2).idempotencyKey());
        assertEquals("my-key-1", seen.get(3).idempotencyKey());
        assertEquals("1", seen.get(0).attempt());
        assertNull(seen.get(2).attempt(), "the caller's own key may have been used before: no attempt number");
        assertNull(seen.get(3).attempt());
    }

    @Test
    void aClosedConnectionIsRetried() throws Exception {
        failTimes(2, hangUp());
        PortoptClient client = client(RetryPolicy.defaults());

        PlanResponse plan = client.createPlan("{}");

        assertNotNull(plan.id());
        assertEquals(3, client.attempts());
        assertEquals(2, client.retries());
        assertEquals(1, seen.stream().map(Seen::idempotencyKey).distinct().count());
    }

    @Test
    void aRefusedConnectionIsRetriedUpToMaxAttemptsThenThrown() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        PortoptClient client = PortoptClient.builder(URI.create("http://127.0.0.1:" + closedPort))
                .ticker(time).sleeper(time).random(new SplittableRandom(1)).build();

        assertThrows(ConnectException.class, () -> client.createPlan("{}"));

        assertEquals(RetryPolicy.DEFAULT_MAX_ATTEMPTS, client.attempts());
        assertEquals(RetryPolicy.DEFAULT_MAX_ATTEMPTS - 1, client.retries());
    }

    @Test
    void getIsRetriedOn504AndCarriesNoIdempotencyKey() throws Exception {
        script.add(status(504, null));
        script.add(status(502, null));
        PortoptClient client = client(RetryPolicy.defaults());

        client.getPlan("11111111-2222-4333-8444-555555555555");

        assertEquals(3, seen.size());
        assertTrue(seen.stream().allMatch(s -> s.method().equals("GET") && s.idempotencyKey() == null));
    }

    @Test
    void backoffIsFullJitterUnderAnExponentialCeiling() throws Exception {
        fallback = status(502, null);
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(6).baseDelay(Duration.ofMillis(100))
                .maxDelay(Duration.ofMillis(400)).maxTotalTime(Duration.ofMinutes(5)).budgetMaxTokens(1000).build();

        // A generator that always draws 0.5 shows the ceiling itself: 100, 200, 400, then capped at 400.
        RandomGenerator half = new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return 0.5;
            }
        };
        PortoptClient fixed = client(policy, half);
        Response last = fixed.sendWithRetries("POST", "/v1/plans", "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(502, last.status(), "the last answer is returned, not thrown");
        assertEquals(List.of(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(200), Duration.ofMillis(200)), time.sleeps);

        // With real randomness every delay lies in [0, ceiling] and they spread over that range.
        time.sleeps.clear();
        PortoptClient jittered = client(policy, new SplittableRandom(7));
        int calls = 40;
        for (int i = 0; i < calls; i++) {
            assertThrows(PortoptException.class, () -> jittered.createPlan("{}"));
        }
        assertEquals(calls * 5, time.sleeps.size());
        Set<Duration> distinct = new HashSet<>();
        double[] sums = new double[5];
        for (int i = 0; i < time.sleeps.size(); i++) {
            int retry = i % 5;
            Duration d = time.sleeps.get(i);
            Duration ceiling = policy.backoffCeiling(retry);
            assertFalse(d.isNegative(), d.toString());
            assertTrue(d.compareTo(ceiling) <= 0, d + " > " + ceiling);
            distinct.add(d);
            sums[retry] += d.toNanos() / (double) ceiling.toNanos();
        }
        assertTrue(distinct.size() > calls * 4, "delays are random, not fixed steps");
        for (double sum : sums) {
            double mean = sum / calls;
            assertTrue(mean > 0.3 && mean < 0.7, "mean fraction of the ceiling ~0.5, got " + mean);
        }
    }

    @Test
    void anEmptyRetryBudgetStopsRetriesAndRefillsAtOneTenthPerCall() throws Exception {
        fallback = status(503, null);
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(4).budgetMaxTokens(2).build();
        PortoptClient client = client(policy);

        assertEquals(503, assertThrows(PortoptException.class, () -> client.createPlan("{}")).status());
        assertEquals(3, client.attempts(), "two retries from the two tokens, the third denied");
        assertEquals(2, client.retries());
        assertEquals(1, client.retryBudgetDenied());

        assertThrows(PortoptException.class, () -> client.createPlan("{}"));
        assertEquals(4, client.attempts(), "0.1 token is not enough for a retry");
        assertEquals(2, client.retryBudgetDenied());

        // Nine more calls bring the bucket to 1.0 token on the ninth: exactly one more retry.
        for (int i = 0; i < 9; i++) {
            assertThrows(PortoptException.class, () -> client.createPlan("{}"));
        }
        assertEquals(3, client.retries());
        assertEquals(4 + 9 + 1, client.attempts());

        // Over many failing calls retries stay near 10 % of the calls.
        for (int i = 0; i < 200; i++) {
            assertThrows(PortoptException.class, () -> client.createPlan("{}"));
        }
        long calls = client.calls();
        assertEquals(211, calls);
        assertTrue(client.retries() <= 0.1 * calls + 2, "retries " + client.retries() + " for " + calls + " calls");
    }

    @Test
    void totalTimeCapsRetriesEvenWhenAttemptsRemain() throws Exception {
        fallback = status(503, "3");
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(10).maxTotalTime(Duration.ofSeconds(5)).build();
        PortoptClient client = client(policy);

        PortoptException shed = assertThrows(PortoptException.class, () -> client.createPlan("{}"));

        assertEquals(503, shed.status());
        assertEquals("3", shed.retryAfter());
        assertEquals(2, client.attempts(), "0 s + 3 s fits in 5 s, 3 s + 3 s does not");
        assertEquals(List.of(Duration.ofSeconds(3)), time.sleeps);
    }

    @Test
    void aRetryAfterBeyondTheTotalTimeIsNotWaitedFor() throws Exception {
        fallback = status(503, "30");
        PortoptClient client = client(RetryPolicy.defaults());

        assertThrows(PortoptException.class, () -> client.createPlan("{}"));

        assertEquals(1, client.attempts());
        assertTrue(time.sleeps.isEmpty());
        assertEquals(0, client.retryBudgetDenied(), "the budget was not consulted");
    }

    @Test
    void noRetryOn400_404_422_or_500() throws Exception {
        PortoptClient client = client(RetryPolicy.defaults());
        for (int status : new int[]{400, 404, 413, 422, 500}) {
            script.add(status(status, "1"));
            assertEquals(status, assertThrows(PortoptException.class, () -> client.createPlan("{}")).status());
        }
        assertEquals(5, client.attempts());
        assertEquals(0, client.retries());
        assertTrue(time.sleeps.isEmpty());
    }

    @Test
    void aRequestTimeoutIsNotRetried() throws Exception {
        script.add(ex -> {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(ex, 200, PLAN, null);
        });
        PortoptClient client = PortoptClient.builder(base).ticker(time).sleeper(time)
                .requestTimeout(Duration.ofMillis(200)).build();

        assertThrows(HttpTimeoutException.class, () -> client.createPlan("{}"));
        assertEquals(1, client.attempts());
    }

    @Test
    void sendIsASingleAttemptWithoutAKey() throws Exception {
        fallback = status(503, "1");
        PortoptClient client = client(RetryPolicy.defaults());

        Response r = client.send("POST", "/v1/plans", "{}".getBytes(StandardCharsets.UTF_8));

        assertEquals(503, r.status());
        assertEquals("1", r.header("retry-after"));
        assertEquals(1, client.attempts());
        assertEquals(1, seen.size());
        assertNull(seen.getFirst().idempotencyKey());
    }

    @Test
    void noRetriesPolicyMakesOneAttempt() throws Exception {
        fallback = status(503, "0");
        PortoptClient client = client(RetryPolicy.none());

        assertThrows(PortoptException.class, () -> client.createPlan("{}"));

        assertEquals(1, client.attempts());
        assertEquals(0, client.retryBudgetDenied());
    }

    @Test
    void retryAfterParsing() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertEquals(Duration.ofSeconds(2), PortoptClient.parseRetryAfter(" 2 ", now));
        assertEquals(Duration.ofMillis(500), PortoptClient.parseRetryAfter("0.5", now));
        assertEquals(Duration.ZERO, PortoptClient.parseRetryAfter("0", now));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(7).atOffset(ZoneOffset.UTC));
        assertEquals(Duration.ofSeconds(7), PortoptClient.parseRetryAfter(date, now));
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.minusSeconds(7).atOffset(ZoneOffset.UTC));
        assertEquals(Duration.ZERO, PortoptClient.parseRetryAfter(past, now));
        assertNull(PortoptClient.parseRetryAfter("soon", now));
        assertNull(PortoptClient.parseRetryAfter("-1", now));
        assertNull(PortoptClient.parseRetryAfter(null, now));
    }

    @Test
    void policyDefaultsAndValidation() {
        RetryPolicy d = RetryPolicy.defaults();
        assertEquals(4, d.maxAttempts());
        assertEquals(Duration.ofMillis(100), d.baseDelay());
        assertEquals(Duration.ofSeconds(2), d.maxDelay());
        assertEquals(Duration.ofSeconds(10), d.maxTotalTime());
        assertEquals(0.1, d.budgetTokensPerCall());
        assertEquals(10, d.budgetMaxTokens());
        assertEquals(Duration.ofMillis(100), d.backoffCeiling(0));
        assertEquals(Duration.ofMillis(800), d.backoffCeiling(3));
        assertEquals(Duration.ofSeconds(2), d.backoffCeiling(5));
        assertEquals(Duration.ofSeconds(2), d.backoffCeiling(1000));
        assertEquals(d, d.toBuilder().build());
        assertFalse(RetryPolicy.none().retries());

        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().maxAttempts(0).build());
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().maxAttempts(1000).build());
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().baseDelay(Duration.ZERO).build());
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().maxDelay(Duration.ofMillis(10)).build());
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().maxTotalTime(Duration.ofSeconds(-1)).build());
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().budgetTokensPerCall(-0.1).build());
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().budgetTokensPerCall(Double.NaN).build());
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().budgetMaxTokens(-1).build());
        assertThrows(NullPointerException.class, () -> RetryPolicy.builder().baseDelay(null).build());

        for (int s : new int[]{429, 502, 503, 504}) {
            assertTrue(RetryPolicy.isRetryableStatus(s));
        }
        for (int s : new int[]{200, 400, 404, 409, 413, 422, 500, 501}) {
            assertFalse(RetryPolicy.isRetryableStatus(s));
        }
    }

    /** Round-trips a UUID string (throws when it is not one). */
    private static final class UUIDs {
        static String parse(String s) {
            return java.util.UUID.fromString(s).toString();
        }
    }
}
