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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The last rung: with the only solver slot busy and the heuristic pool full, a plan request is
 * answered 503 problem+json with a Retry-After, never queued into a timeout, and nothing else fails;
 * the exact repeat of a problem solved before is still a cache hit.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "portopt.admission.solver-threads=1",
        "portopt.admission.max-queue-wait=0s",
        "portopt.admission.heuristic-threads=1",
        "portopt.admission.heuristic-slots=2",
        "portopt.admission.heuristic-wait=1ms"})
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
    void whenEveryRungAboveIsFullARequestIsShedWithRetryAfterAndTheRestAreHeuristicPlans() throws Exception {
        String key = TestTenants.newKey(jdbc, "shed");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Instant base = Instant.parse("2026-04-01T00:00:00Z");
        long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        double shedBefore = shedCount();
        // A problem solved before the overload: its exact repeat stays a cache hit throughout.
        byte[] known = JSON.writeValueAsBytes(LadderTest.request("K", 8, base, seed, 100));
        assertThat(http.send(post(key, known), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        // Occupy the only solver slot with a long solve.
        var blocker = http.sendAsync(post(key, LadderTest.request("X", 30, base, seed, 6000)),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(1000);

        List<HttpResponse<String>> responses = new ArrayList<>();
        // Distinct 300-vessel problems, all at once; a round may by chance never overlap on a fast
        // machine, so up to five rounds are sent until one request has been shed.
        for (int round = 0; round < 5 && responses.stream().noneMatch(r -> r.statusCode() == 503); round++) {
            responses.addAll(burst(http, key, base, seed + round + 1));
            HttpResponse<String> repeat = http.send(post(key, known), HttpResponse.BodyHandlers.ofString());
            assertThat(repeat.statusCode()).isEqualTo(200);
            assertThat(repeat.headers().firstValue("Cache-Status")).hasValue("portopt; hit; detail=cache");
        }

        List<HttpResponse<String>> shed = responses.stream().filter(r -> r.statusCode() == 503).toList();
        List<HttpResponse<String>> planned = responses.stream().filter(r -> r.statusCode() == 200).toList();
        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 503));
        assertThat(shed).as("requests shed while the heuristic pool was full").isNotEmpty();
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

        assertThat(blocker.get().statusCode()).isEqualTo(200);
        var ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
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
        byte[] bytes = body instanceof byte[] b ? b : JSON.writeValueAsBytes(body);
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/plans"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
    }

    private double shedCount() {
        var counter = registry.find(MetricNames.SHED).counter();
        return counter == null ? 0 : counter.count();
    }
}
