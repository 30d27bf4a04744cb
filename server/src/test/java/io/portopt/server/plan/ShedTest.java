package io.portopt.server.plan;

import io.micrometer.core.instrument.MeterRegistry;
import io.portopt.server.RealServices;
import io.portopt.server.TestTenants;
import io.portopt.server.system.MetricNames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The last rung: with the only solver slot busy and the heuristic pool full, a plan request is
 * answered 503 problem+json with a Retry-After, never queued into a timeout, and nothing else fails;
 * what a cheaper rung can answer (an exact repeat, inline or at a stored port; a replayed
 * Idempotency-Key) is still answered, and bad input still gets its 4xx.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "portopt.admission.solver-threads=1",
        "portopt.admission.max-queue-wait=0s",
        "portopt.admission.heuristic-threads=1",
        "portopt.admission.heuristic-slots=2",
        "portopt.admission.heuristic-wait=1ms",
        "portopt.limits.max-time-limit=30s"})
@ActiveProfiles("test")
class ShedTest {
    private static final int CONCURRENT = 24;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @Autowired
    MeterRegistry registry;

    @LocalServerPort
    int port;

    @BeforeAll
    static void services() {
        RealServices.require();
    }

    @Test
    void whenEveryRungAboveIsFullANewProblemIsShedWhileCheaperRungsAndBadInputAreStillAnswered() throws Exception {
        String key = TestTenants.newKey(jdbc, "shed");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Instant base = Instant.parse("2026-04-01T00:00:00Z");
        long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        double shedBefore = shedCount();

        // Answered before the overload: an inline problem, a stored-port problem, and a keyed request.
        byte[] known = JSON.writeValueAsBytes(LadderTest.request("K", 8, base, seed, 100));
        assertThat(send(http, post(key, known)).statusCode()).isEqualTo(200);
        String portCode = "SHED" + Long.toString(seed & 0xffffff, 36).toUpperCase(java.util.Locale.ROOT);
        assertThat(send(http, HttpRequest.newBuilder(uri("/v1/ports/" + portCode))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"berths\":[{\"id\":\"B1\"},{\"id\":\"B2\"}]}")).build())
                .statusCode()).isIn(200, 201);
        Map<String, Object> atPort = new java.util.HashMap<>(LadderTest.request("P", 6, base, seed, 100));
        atPort.remove("berths");
        atPort.put("port", portCode);
        assertThat(send(http, post(key, atPort)).statusCode()).isEqualTo(200);
        byte[] keyed = JSON.writeValueAsBytes(LadderTest.request("I", 7, base, seed, 100));
        HttpResponse<String> first = send(http, post(key, keyed, "shed-test-" + seed));
        assertThat(first.statusCode()).isEqualTo(200);

        // Occupy the only solver slot with a long solve.
        var blocker = http.sendAsync(post(key, LadderTest.request("X", 30, base, seed, 15_000)),
                HttpResponse.BodyHandlers.ofString());
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (solvesRunning() < 1 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(solvesRunning()).as("the blocking solve is running").isEqualTo(1);

        // Distinct 300-vessel problems, all at once: the first takes the tenant's heuristic slot and
        // the others find every rung full. A burst sent on a machine fast enough to finish each
        // heuristic before the next request arrives may shed nothing, so up to three are sent.
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int round = 0; round < 3 && responses.stream().noneMatch(r -> r.statusCode() == 503); round++) {
            responses.addAll(burst(http, key, base, seed + round + 1));
        }
        List<HttpResponse<String>> shed = responses.stream().filter(r -> r.statusCode() == 503).toList();
        List<HttpResponse<String>> planned = responses.stream().filter(r -> r.statusCode() == 200).toList();
        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 503));
        assertThat(shed).as("requests shed while every rung was full").isNotEmpty();
        assertThat(planned).as("requests answered by the heuristic").isNotEmpty();
        for (HttpResponse<String> r : shed) {
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("application/problem+json"));
            long retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
            assertThat(retryAfter).isBetween(1L, 60L);
            assertThat(JSON.readTree(r.body()).path("status").asInt()).isEqualTo(503);
        }
        for (HttpResponse<String> r : planned) {
            JsonNode quality = JSON.readTree(r.body()).path("quality");
            assertThat(quality.path("source").asString()).isEqualTo("heuristic");
            assertThat(quality.path("degraded").asBoolean()).isTrue();
            assertThat(r.headers().firstValue("Cache-Status")).hasValue("portopt; fwd=miss; detail=heuristic");
        }
        assertThat(shedCount() - shedBefore).isEqualTo(shed.size());

        // Still saturated (the blocker runs on): cheaper rungs answer, bad input is still a 4xx.
        assertThat(solvesRunning()).isEqualTo(1);
        HttpResponse<String> inline = send(http, post(key, known));
        assertThat(inline.headers().firstValue("Cache-Status")).hasValue("portopt; hit; detail=cache");
        HttpResponse<String> port = send(http, post(key, atPort));
        assertThat(port.headers().firstValue("Cache-Status")).hasValue("portopt; hit; detail=cache");
        HttpResponse<String> replay = send(http, post(key, keyed, "shed-test-" + seed));
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(replay.body()).path("id").asString()).isEqualTo(JSON.readTree(first.body()).path("id").asString());
        Map<String, Object> invalid = new java.util.HashMap<>(LadderTest.request("Z", 3, base, seed, 100));
        invalid.put("berths", List.of());
        assertThat(send(http, post(key, invalid)).statusCode()).isEqualTo(422);

        assertThat(blocker.get().statusCode()).isEqualTo(200);
        assertThat(send(http, HttpRequest.newBuilder(uri("/health/ready")).build()).statusCode()).isEqualTo(200);
    }

    private List<HttpResponse<String>> burst(HttpClient http, String key, Instant base, long seed) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < CONCURRENT; i++) {
                HttpRequest request = post(key, LadderTest.request("R" + seed + "-" + i + "-", 300, base, seed, 1000));
                futures.add(pool.submit(() -> {
                    go.await();
                    return http.send(request, HttpResponse.BodyHandlers.ofString());
                }));
            }
            go.countDown();
            List<HttpResponse<String>> out = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                out.add(f.get());
            }
            return out;
        }
    }

    private HttpRequest post(String key, Object body) {
        return post(key, body, null);
    }

    private HttpRequest post(String key, Object body, String idempotencyKey) {
        byte[] bytes = body instanceof byte[] b ? b : JSON.writeValueAsBytes(body);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri("/v1/plans"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (idempotencyKey != null) {
            builder.header("Idempotency-Key", idempotencyKey);
        }
        return builder.build();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private double solvesRunning() {
        var gauge = registry.find(MetricNames.SOLVES_IN_FLIGHT).gauge();
        return gauge == null ? 0 : gauge.value();
    }

    private double shedCount() {
        var counter = registry.find(MetricNames.SHED).counter();
        return counter == null ? 0 : counter.count();
    }
}
