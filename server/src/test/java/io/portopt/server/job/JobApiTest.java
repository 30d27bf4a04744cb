package io.portopt.server.job;

import com.sun.net.httpserver.HttpServer;
import io.portopt.client.Job;
import io.portopt.client.JobEvent;
import io.portopt.client.PlanResponse;
import io.portopt.client.PortoptClient;
import io.portopt.client.Response;
import io.portopt.server.RealServices;
import io.portopt.server.TestTenants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Asynchronous jobs against a real server, PostgreSQL and Redis: lifecycle, events, cancel,
 * isolation, limits, idempotency, webhooks, sharing the solver with synchronous requests, and the
 * takeover of a job whose server died (a row left running under an expired lease).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "portopt.jobs.enabled=true",
        "portopt.jobs.max-active-per-tenant=3",
        "portopt.jobs.lease=2s",
        "portopt.jobs.checkpoint-interval=1s",
        "portopt.jobs.slice=1s",
        "portopt.jobs.callback-allow=http://127.0.0.1:",
        "portopt.jobs.webhook-secret=" + JobApiTest.SECRET,
        // One solver slot: a synchronous request can only be solved if the job gives its slot up.
        "portopt.admission.solver-threads=1"})
@ActiveProfiles("test")
class JobApiTest {
    static final String SECRET = "test-webhook-secret-0123456789";
    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

    /** The test's own webhook receiver: it checks signatures itself, and records what it accepted. */
    static HttpServer sink;
    static final List<String> accepted = new CopyOnWriteArrayList<>();
    static final List<Integer> answers = new CopyOnWriteArrayList<>();

    @Autowired
    JdbcClient jdbc;

    @LocalServerPort
    int port;

    PortoptClient client;
    long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);

    @BeforeAll
    static void services() throws Exception {
        RealServices.require();
        sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        sink.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String signature = exchange.getRequestHeaders().getFirst("Portopt-Signature");
            int status = verify(signature, body, Instant.now()) ? 200 : 401;
            if (status == 200) {
                accepted.add(new String(body, StandardCharsets.UTF_8));
            }
            answers.add(status);
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        sink.start();
    }

    @AfterAll
    static void stopSink() {
        sink.stop(0);
    }

    /** The receiver's check, written from the documented scheme: t=<unix>,v1=hex(HMAC-SHA256("t.body")), 5 minutes' tolerance. */
    static boolean verify(String header, byte[] body, Instant now) {
        if (header == null) {
            return false;
        }
        String t = null;
        String v1 = null;
        for (String part : header.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length == 2 && kv[0].equals("t")) {
                t = kv[1];
            } else if (kv.length == 2 && kv[0].equals("v1")) {
                v1 = kv[1];
            }
        }
        if (t == null || v1 == null) {
            return false;
        }
        try {
            long ts = Long.parseLong(t);
            if (Math.abs(now.getEpochSecond() - ts) > 300) {
                return false;
            }
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] expected = mac.doFinal((t + "." + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            return MessageDigest.isEqual(expected, HexFormat.of().parseHex(v1));
        } catch (Exception e) {
            return false;
        }
    }

    @BeforeEach
    void connect() {
        client = PortoptClient.builder(URI.create("http://127.0.0.1:" + port)).apiKey(TestTenants.newKey(jdbc, "jobs")).build();
    }

    static Map<String, Object> request(int vessels, long seed, long timeLimitMs) {
        Random random = new Random(seed);
        List<Map<String, Object>> calls = new ArrayList<>();
        for (int i = 1; i <= vessels; i++) {
            calls.add(new LinkedHashMap<>(Map.of("id", String.format("V%03d", i),
                    "arrival", T0.plus(Duration.ofMinutes(random.nextInt(72 * 60))).toString(),
                    "handlingMinutes", 300 + random.nextInt(900))));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("berths", List.of(Map.of("id", "B1"), Map.of("id", "B2"), Map.of("id", "B3"), Map.of("id", "B4"), Map.of("id", "B5")));
        r.put("vessels", calls);
        r.put("options", Map.of("timeLimitMs", timeLimitMs, "seed", seed));
        return r;
    }

    private Job awaitState(String id, String... states) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Job job = client.getJob(id);
        while (!List.of(states).contains(job.state()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            job = client.getJob(id);
        }
        return job;
    }

    @Test
    void aJobRunsToTheEndAndItsPlanIsAnOrdinaryStoredPlan() throws Exception {
        Response submitted = client.sendWithRetries("POST", "/v1/jobs",
                tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsBytes(request(60, seed, 1500)));
        assertThat(submitted.status()).isEqualTo(202);
        String location = submitted.header("Location");
        assertThat(location).startsWith("/v1/jobs/");
        String id = location.substring("/v1/jobs/".length());
        Job done = client.awaitJob(id, Duration.ofMillis(200), Duration.ofSeconds(90));
        assertThat(done.state()).isEqualTo("done");
        assertThat(done.solvedMs()).isGreaterThanOrEqualTo(1000);
        assertThat(done.planId()).isNotNull();
        PlanResponse plan = client.getPlan(done.planId());
        assertThat(plan.assignments()).hasSize(60);
        assertThat(done.bestObjective()).isCloseTo(plan.objective().weightedTurnaroundMinutes(), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void eventsGiveTheCurrentStateFirstThenImprovementsThenTheEnd() throws Exception {
        Job job = client.submitJob(request(120, seed, 3000));
        List<JobEvent> events = new ArrayList<>();
        JobEvent last = client.streamJobEvents(job.id(), events::add);
        assertThat(events.getFirst().name()).isEqualTo("snapshot");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.name()).isEqualTo("improvement");
            assertThat(e.job().bestObjective()).isNotNull();
        });
        assertThat(last).isNotNull();
        assertThat(last.name()).isEqualTo("done");
        assertThat(last.job().planId()).isNotNull();
        // A client connecting after the end gets the final state at once.
        List<JobEvent> late = new ArrayList<>();
        JobEvent again = client.streamJobEvents(job.id(), late::add);
        assertThat(late).hasSize(1);
        assertThat(again.name()).isEqualTo("done");
        assertThat(again.job().planId()).isEqualTo(last.job().planId());
    }

    @Test
    void cancellingKeepsTheBestPlanFound() throws Exception {
        Job job = client.submitJob(request(120, seed, 60_000));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while ((job = client.getJob(job.id())).planId() == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(job.planId()).as("a checkpoint within a minute").isNotNull();
        client.cancelJob(job.id());
        Job cancelled = awaitState(job.id(), "cancelled");
        assertThat(cancelled.state()).isEqualTo("cancelled");
        assertThat(cancelled.solvedMs()).isLessThan(60_000);
        assertThat(cancelled.planId()).isNotNull();
        assertThat(client.getPlan(cancelled.planId()).assignments()).hasSize(120);
    }

    @Test
    void aSynchronousRequestIsSolvedWhileAJobHoldsTheOnlySolverSlot() throws Exception {
        Job job = client.submitJob(request(120, seed, 60_000));
        awaitState(job.id(), "running");
        Thread.sleep(1500);   // well into a slice
        PlanResponse plan = client.createPlan(request(30, seed + 1, 300));
        assertThat(plan.quality().source()).isEqualTo("solved");
        assertThat(plan.quality().degraded()).isFalse();
        // ...and the job goes on afterwards.
        Job before = client.getJob(job.id());
        Thread.sleep(2500);
        Job after = client.getJob(job.id());
        assertThat(after.solvedMs()).isGreaterThan(before.solvedMs());
        client.cancelJob(job.id());
        assertThat(awaitState(job.id(), "cancelled").state()).isEqualTo("cancelled");
    }

    @Test
    void anotherTenantCannotSeeStreamOrCancelAJob() throws Exception {
        Job job = client.submitJob(request(20, seed, 500));
        PortoptClient other = PortoptClient.builder(URI.create("http://127.0.0.1:" + port)).apiKey(TestTenants.newKey(jdbc, "other")).build();
        assertThat(other.send("GET", "/v1/jobs/" + job.id(), null).status()).isEqualTo(404);
        assertThat(other.send("DELETE", "/v1/jobs/" + job.id(), null).status()).isEqualTo(404);
        HttpResponse<String> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/jobs/" + job.id() + "/events"))
                .header("Authorization", "Bearer " + TestTenants.newKey(jdbc, "third")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stream.statusCode()).isEqualTo(404);
        Job done = client.awaitJob(job.id(), Duration.ofMillis(200), Duration.ofSeconds(90));
        assertThat(done.cancelRequested()).isFalse();
        assertThat(other.send("GET", "/v1/plans/" + done.planId(), null).status()).isEqualTo(404);
        assertThat(client.send("GET", "/v1/jobs/" + UUID.randomUUID(), null).status()).isEqualTo(404);
        assertThat(client.send("GET", "/v1/jobs/not-a-uuid", null).status()).isEqualTo(404);
    }

    @Test
    void aRetriedSubmissionMakesOneJobAndATenantHasALimit() throws Exception {
        String key = UUID.randomUUID().toString();
        Map<String, Object> r = request(20, seed, 60_000);
        Job first = client.submitJob(r, key);
        Job again = client.submitJob(r, key);
        assertThat(again.id()).isEqualTo(first.id());
        Response reused = client.send("POST", "/v1/jobs", tools.jackson.databind.json.JsonMapper.builder().build()
                .writeValueAsBytes(request(21, seed, 60_000)), key);
        assertThat(reused.status()).isEqualTo(422);

        Job second = client.submitJob(request(20, seed + 1, 60_000));
        Job third = client.submitJob(request(20, seed + 2, 60_000));
        Response fourth = client.send("POST", "/v1/jobs", tools.jackson.databind.json.JsonMapper.builder().build()
                .writeValueAsBytes(request(20, seed + 3, 60_000)));
        assertThat(fourth.status()).isEqualTo(429);
        assertThat(fourth.header("Retry-After")).isNotNull();
        for (Job j : List.of(first, second, third)) {
            client.cancelJob(j.id());
        }
        for (Job j : List.of(first, second, third)) {
            assertThat(awaitState(j.id(), "cancelled").state()).isEqualTo("cancelled");
        }
    }

    @Test
    void aFinishedJobCallsItsSignedWebhookAndTheSinkRejectsAForgery() throws Exception {
        Map<String, Object> r = request(20, seed, 300);
        String hook = "http://127.0.0.1:" + sink.getAddress().getPort() + "/hook";
        r.put("callbackUrl", hook);
        Job job = client.submitJob(r);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (accepted.stream().noneMatch(b -> b.contains(job.id())) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(accepted).anySatisfy(b -> assertThat(b).contains(job.id()).contains("\"state\":\"done\""));
        // A forged call (right shape, wrong key) and a replayed signature on a changed body are refused by the sink.
        HttpClient http = HttpClient.newHttpClient();
        long now = Instant.now().getEpochSecond();
        String body = "{\"id\":\"" + job.id() + "\",\"state\":\"done\"}";
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("not-the-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String forged = "t=" + now + ",v1=" + HexFormat.of().formatHex(mac.doFinal((now + "." + body).getBytes(StandardCharsets.UTF_8)));
        int forgedStatus = http.send(HttpRequest.newBuilder(URI.create(hook)).header("Portopt-Signature", forged)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        assertThat(forgedStatus).isEqualTo(401);
        String real = Webhooks.signature(SECRET, now, body.getBytes(StandardCharsets.UTF_8));
        int tampered = http.send(HttpRequest.newBuilder(URI.create(hook)).header("Portopt-Signature", real)
                .POST(HttpRequest.BodyPublishers.ofString(body.replace("done", "failed"))).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        assertThat(tampered).isEqualTo(401);
        Job after = client.getJob(job.id());
        assertThat(after.callback()).isEqualTo("delivered");
    }

    @Test
    void aCallbackOffTheAllowListIsRefused() throws Exception {
        Map<String, Object> r = request(5, seed, 300);
        for (String url : List.of("http://10.0.0.1/hook", "http://127.0.0.1.evil.example/hook", "file:///etc/passwd",
                "http://user@127.0.0.1:9/hook")) {
            r.put("callbackUrl", url);
            Response answer = client.send("POST", "/v1/jobs", tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsBytes(r));
            assertThat(answer.status()).as(url).isEqualTo(422);
            assertThat(answer.text()).contains("callbackUrl");
        }
    }

    /**
     * A server died holding a job: its row is left running under a lease that has run out, with a
     * checkpoint. This server takes it over, resumes from the checkpoint with the budget left, and
     * finishes it once, no worse than the checkpoint.
     */
    @Test
    void aJobWhoseServerDiedIsResumedFromItsCheckpoint() throws Exception {
        Map<String, Object> r = request(40, seed, 2000);
        // First let a job run to get a real checkpoint for this problem, then cancel it.
        Job probe = client.submitJob(r);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while ((probe = client.getJob(probe.id())).planId() == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        client.cancelJob(probe.id());
        awaitState(probe.id(), "cancelled", "done");
        var row = jdbc.sql("SELECT tenant_id, request::text, fingerprint, checkpoint, best_objective, best_plan_id FROM job WHERE id = ?")
                .param(UUID.fromString(probe.id()))
                .query((rs, n) -> new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getDouble(5), rs.getObject(6, UUID.class)})
                .single();
        assertThat(row[3]).isNotNull();
        UUID orphan = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO job (id, tenant_id, fingerprint, state, request, time_limit_ms, seed, lease_owner, lease_until,
                                 attempts, solved_ms, best_objective, best_plan_id, checkpoint, started_at)
                VALUES (?, ?, ?, 'running', ?::json, 4000, 1, 'dead-server/0', now() - interval '1 second', 1, 2000, ?, ?, ?,
                        now() - interval '3 seconds')
                """).params(orphan, row[0], row[2], row[1], row[4], row[5], row[3]).update();
        Job resumed = client.awaitJob(orphan.toString(), Duration.ofMillis(200), Duration.ofSeconds(90));
        assertThat(resumed.state()).isEqualTo("done");
        assertThat(resumed.attempts()).isEqualTo(2);
        assertThat(resumed.solvedMs()).isBetween(4000L, 6000L);
        assertThat(resumed.bestObjective()).isLessThanOrEqualTo((Double) row[4] + 1e-6);
        assertThat(resumed.planId()).isNotEqualTo(row[5].toString());
    }
}
