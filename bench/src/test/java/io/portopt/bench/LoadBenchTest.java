package io.portopt.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load tool itself: its request generator, and its summary against a stub HTTP server (a stub
 * is right here: this tests the tool's counting, not portopt).
 */
class LoadBenchTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private HttpServer server;
    private ExecutorService executor;
    private final AtomicInteger requests = new AtomicInteger();
    private final Set<String> keysSeen = ConcurrentHashMap.newKeySet();
    private volatile boolean shedFirstAttemptOfEachKey;

    @BeforeEach
    void startStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/v1/plans", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            int n = requests.incrementAndGet();
            String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
            JsonNode request = JSON.readTree(body);
            boolean shed = shedFirstAttemptOfEachKey ? keysSeen.add(key) : n % 7 == 0;
            if (shed) {
                respond(ex, 503, "{\"status\":503}", "0");
                return;
            }
            String source = request.path("vessels").size() % 2 == 0 ? "solved" : "cache";
            respond(ex, 200, """
                    {"id":"plan-%d","assignments":[],"unassigned":[],"objective":{"weightedTurnaroundMinutes":1.0},
                     "quality":{"source":"%s","degraded":false,"solveMillis":3}}""".formatted(n, source), null);
        });
        server.start();
    }

    @AfterEach
    void stopStub() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void respond(HttpExchange ex, int status, String body, String retryAfter) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (retryAfter != null) {
            ex.getResponseHeaders().set("Retry-After", retryAfter);
        }
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void distinctRequestsDifferAndEachIsReproducible() {
        PlanRequestGenerator gen = new PlanRequestGenerator(7, 8, 40, 1000);
        Set<String> bodies = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            byte[] body = gen.request(i);
            assertArrayEquals(body, gen.request(i), "same index, same bytes");
            assertTrue(bodies.add(new String(body, StandardCharsets.UTF_8)), "request " + i + " repeats an earlier one");

            JsonNode r = JSON.readTree(body);
            int vessels = r.path("vessels").size();
            int berths = r.path("berths").size();
            assertTrue(vessels >= 8 && vessels <= 40, "vessels " + vessels);
            assertTrue(berths >= 2 && berths <= 6, "berths " + berths);
            assertEquals(1000, r.path("options").path("timeLimitMs").asLong());
            for (JsonNode v : r.path("vessels")) {
                assertTrue(v.has("handlingMinutes") != v.has("handlingMinutesByBerth"), v.toString());
                assertTrue(v.path("arrival").asString().startsWith("2026-01-0"), v.toString());
            }
        }
        assertFalse(Arrays.equals(gen.request(0), new PlanRequestGenerator(8, 8, 40, 1000).request(0)),
                "another seed, another problem");
        assertEquals(12, JSON.readTree(new PlanRequestGenerator(1, 12, 12, 500).request(3)).path("vessels").size());
    }

    @Test
    void theGeneratorUsesEveryFeatureSomewhere() {
        PlanRequestGenerator gen = new PlanRequestGenerator(3, 8, 40, 1000);
        boolean tide = false, closures = false, hours = false, byBerth = false, latest = false, weight = false;
        for (int i = 0; i < 50; i++) {
            JsonNode r = JSON.readTree(gen.request(i));
            tide |= r.has("tide");
            for (JsonNode b : r.path("berths")) {
                closures |= b.has("closures");
                hours |= b.has("opensAt");
            }
            for (JsonNode v : r.path("vessels")) {
                byBerth |= v.has("handlingMinutesByBerth");
                latest |= v.has("latestDeparture");
                weight |= v.has("weight");
            }
        }
        assertTrue(tide && closures && hours && byBerth && latest && weight);
    }

    @Test
    void repeatModeSendsTheSameFewBodiesAndMixedModeBoth() {
        PlanRequestGenerator gen = new PlanRequestGenerator(7, 8, 40, 1000);
        LoadBench.Workload repeat = new LoadBench.Workload(LoadBench.Mode.REPEAT, 0.5, 5, 7, gen);
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(repeat.body(i), repeat.body(i + 5), "request " + i + " and " + (i + 5));
            distinct.add(new String(repeat.body(i), StandardCharsets.UTF_8));
        }
        assertEquals(5, distinct.size());

        LoadBench.Workload mixed = new LoadBench.Workload(LoadBench.Mode.MIXED, 0.5, 5, 7, gen);
        int repeats = 0;
        for (int i = 0; i < 1000; i++) {
            if (mixed.repeats(i)) {
                repeats++;
                assertTrue(distinct.contains(new String(mixed.body(i), StandardCharsets.UTF_8)));
            } else {
                assertFalse(distinct.contains(new String(mixed.body(i), StandardCharsets.UTF_8)));
            }
        }
        assertTrue(repeats > 420 && repeats < 580, "about half repeat: " + repeats);

        LoadBench.Workload all = new LoadBench.Workload(LoadBench.Mode.DISTINCT, 0.5, 5, 7, gen);
        assertNotEquals(new String(all.body(1), StandardCharsets.UTF_8), new String(all.body(6), StandardCharsets.UTF_8));
    }

    @Test
    void argumentsAreCheckedAndDurationsTakeUnits() {
        LoadBench.Config c = LoadBench.Config.parse(new String[]{"--rate", "5", "--duration", "2m", "--mode", "mixed",
                "--vessels", "10-20", "--no-retries"});
        assertEquals(120, c.durationS());
        assertEquals(LoadBench.Mode.MIXED, c.mode());
        assertEquals(10, c.minVessels());
        assertEquals(20, c.maxVessels());
        assertFalse(c.retries());
        assertThrows(IllegalArgumentException.class, () -> LoadBench.Config.parse(new String[]{"--duration", "5"}));
        assertThrows(IllegalArgumentException.class, () -> LoadBench.Config.parse(new String[]{"--rate", "5"}));
        assertThrows(IllegalArgumentException.class,
                () -> LoadBench.Config.parse(new String[]{"--rate", "5", "--duration", "5", "--mode", "bogus"}));
        assertThrows(IllegalArgumentException.class,
                () -> LoadBench.Config.parse(new String[]{"--rate", "5", "--duration", "5", "--frobnicate"}));
    }

    @Test
    void summaryOfTwoSecondsAtTwentyPerSecondWithoutRetries(@TempDir Path dir) throws Exception {
        Path ids = dir.resolve("ids.txt");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String line = LoadBench.run(LoadBench.Config.parse(new String[]{"--url", url(), "--rate", "20", "--duration", "2",
                "--mode", "distinct", "--no-retries", "--ids-out", ids.toString(), "--drain-s", "5"}), new PrintStream(err, true));

        assertFalse(line.contains("\n"), "one line");
        JsonNode s = JSON.readTree(line);
        assertEquals(40, s.path("sent").asLong());
        long ok = s.path("ok").asLong();
        long failed = s.path("failed").asLong();
        assertEquals(40, ok + failed + s.path("timeouts").asLong() + s.path("connectionErrors").asLong());
        assertEquals(0, s.path("timeouts").asLong());
        assertEquals(0, s.path("connectionErrors").asLong());
        assertEquals(40 / 7, failed, "every 7th request is shed");
        assertEquals(failed, s.path("shed503").asLong());
        assertEquals(failed, s.path("failedByStatus").path("503").asLong());
        assertEquals(ok, s.path("byStatus").path("200").asLong());
        assertEquals(0, s.path("shed503WithoutRetryAfter").asLong());
        assertEquals(0, s.path("retries").asLong());
        assertEquals(40, s.path("attempts").asLong());
        JsonNode bySource = s.path("bySource");
        for (String rung : List.of("solved", "cache", "coalesced", "approximate", "heuristic")) {
            assertTrue(bySource.has(rung), rung);
        }
        assertEquals(ok, bySource.path("solved").asLong() + bySource.path("cache").asLong());
        for (String p : List.of("p50", "p90", "p99", "p999", "max", "mean")) {
            double v = s.path("latencyMs").path(p).asDouble(-1);
            assertTrue(v >= 0 && v < 5000, p + "=" + v);
        }
        assertTrue(s.has("shed503LatencyMs"));
        assertEquals(bySource.path("solved").asLong() / 2.0, s.path("goodputFullSolvesPerSec").asDouble(), 1e-9);
        assertEquals(ok / 2.0, s.path("throughputPerSec").asDouble(), 1e-9);
        assertEquals(20, s.path("rate").asDouble());
        assertEquals(2, s.path("durationS").asDouble());
        assertEquals("distinct", s.path("mode").asString());
        assertEquals(ok, s.path("planIds").asLong());
        List<String> written = Files.readAllLines(ids);
        assertEquals(ok, written.size());
        assertTrue(written.stream().allMatch(id -> id.startsWith("plan-")));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("sent "), "progress on stderr: " + err);
    }

    @Test
    void withRetriesShedRequestsAreRetriedWithinTheBudget() throws Exception {
        shedFirstAttemptOfEachKey = true;
        String line = LoadBench.run(LoadBench.Config.parse(new String[]{"--url", url(), "--rate", "20", "--duration", "2",
                "--mode", "repeat", "--drain-s", "5", "--quiet"}), new PrintStream(new ByteArrayOutputStream()));

        JsonNode s = JSON.readTree(line);
        long retries = s.path("retries").asLong();
        long denied = s.path("retryBudgetDenied").asLong();
        // 10 initial tokens + 0.1 per call: 40 calls afford about 13-14 retries; the rest are denied.
        assertTrue(retries >= 10 && retries <= 14, "retries " + retries);
        assertEquals(40, retries + denied);
        assertEquals(retries, s.path("ok").asLong());
        assertEquals(denied, s.path("shed503").asLong());
        assertEquals(40 + retries, s.path("attempts").asLong());
        assertEquals(requests.get(), s.path("attempts").asLong());
        assertEquals("repeat", s.path("mode").asString());
        List<String> keys = new ArrayList<>(keysSeen);
        assertEquals(40, keys.size(), "one Idempotency-Key per logical request");
    }
}
