package io.portopt.e2e;

import io.portopt.client.PlanResponse;
import io.portopt.client.PortoptClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real cluster, brought up with {@code ./portopt up} and checked from outside: plans through
 * the load balancer, stateless servers, the replica, a server killed under load, scaling, and a
 * clean shutdown. One cluster for the whole class; the tests run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final URI LB = URI.create("http://127.0.0.1:8080");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static final int[] CLUSTER_PORTS = {8080, 8081, 8082, 8083, 9081, 9082, 9083, 8404, 6380, 5433, 5434,
            9090, 9093, 9095, 9121, 9187};

    @BeforeAll
    static void up() throws Exception {
        Launcher.run(180, "down");
        Launcher.up(2);
    }

    @AfterAll
    static void down() throws Exception {
        Launcher.run(180, "down");
    }

    static PortoptClient client(URI base) {
        return PortoptClient.builder(base).apiKey(Launcher.devApiKey()).build();
    }

    static String smallRequest(long seed, int timeLimitMs) {
        return """
                {"berths": [{"id": "B1", "lengthM": 350, "depthM": 16.0}, {"id": "B2", "lengthM": 250, "depthM": 12.0}],
                 "vessels": [
                   {"id": "V1", "arrival": "2026-01-01T10:00:00Z", "lengthM": 300, "draftM": 14.5, "handlingMinutes": %d},
                   {"id": "V2", "arrival": "2026-01-01T11:00:00Z", "lengthM": 200, "draftM": 10, "weight": 2,
                    "handlingMinutesByBerth": {"B1": 600, "B2": 700}},
                   {"id": "V3", "arrival": "2026-01-01T12:30:00Z", "lengthM": 180, "draftM": 9, "handlingMinutes": 240},
                   {"id": "V4", "arrival": "2026-01-01T13:00:00Z", "lengthM": 220, "draftM": 11, "handlingMinutes": 300}],
                 "options": {"timeLimitMs": %d, "seed": %d}}
                """.formatted(300 + seed % 500, timeLimitMs, seed);
    }

    /** A plan request of {@code vessels} calls at ten berths: a body of roughly 100 bytes per vessel. */
    static String largeRequest(long seed, int vessels, int timeLimitMs) {
        StringBuilder s = new StringBuilder("{\"berths\": [");
        for (int b = 1; b <= 10; b++) {
            s.append(b > 1 ? "," : "").append("{\"id\": \"B").append(b).append("\"}");
        }
        s.append("], \"vessels\": [");
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        java.time.Instant base = java.time.Instant.parse("2026-03-01T00:00:00Z");
        for (int v = 0; v < vessels; v++) {
            s.append(v > 0 ? ",\n" : "").append("{\"id\": \"V").append(v).append("\", \"arrival\": \"")
                    .append(base.plusSeconds(60L * (v * 25 + r.nextInt(60)))).append("\", \"handlingMinutes\": ")
                    .append(120 + r.nextInt(400)).append("}");
        }
        return s.append("], \"options\": {\"timeLimitMs\": ").append(timeLimitMs).append(", \"seed\": ")
                .append(seed & 0xffff).append("}}").toString();
    }

    private static String haproxyStatus(String server) throws Exception {
        String csv = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8404/stats;csv")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : csv.split("\n")) {
            String[] f = line.split(",");
            if (f.length > 17 && f[0].equals("servers") && f[1].equals(server)) {
                return f[17];
            }
        }
        return "ABSENT";
    }

    private static long haproxyTotal(String server) throws Exception {
        String csv = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8404/stats;csv")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : csv.split("\n")) {
            String[] f = line.split(",");
            if (f.length > 7 && f[0].equals("servers") && f[1].equals(server)) {
                return Long.parseLong(f[7]);
            }
        }
        return -1;
    }

    static void awaitStatus(String server, String prefix, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String status = haproxyStatus(server);
        while (!status.startsWith(prefix) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            status = haproxyStatus(server);
        }
        assertThat(status).as("HAProxy status of %s", server).startsWith(prefix);
    }

    @Test
    @Order(1)
    void aPlanMadeThroughTheLoadBalancerIsReadableFromEveryServerAndCachedInRedis() throws Exception {
        PlanResponse plan = client(LB).createPlan(smallRequest(System.nanoTime(), 200));
        assertThat(plan.assignments()).isNotEmpty();
        // One solver slot per server here: the bound ran on the solve's own core, and every server reports it.
        assertThat(plan.quality().source()).isEqualTo("solved");
        assertThat(plan.quality().lowerBound()).isNotNull().isLessThanOrEqualTo(plan.objective().weightedTurnaroundMinutes());
        for (int port : new int[] {8081, 8082}) {
            PlanResponse read = client(URI.create("http://127.0.0.1:" + port)).getPlan(plan.id());
            assertThat(read.assignments()).isEqualTo(plan.assignments());
            assertThat(read.quality().lowerBound()).isEqualTo(plan.quality().lowerBound());
        }
        Process keys = new ProcessBuilder("redis-cli", "-p", "6380", "--scan", "--pattern", "portopt:plan:*").start();
        assertThat(new String(keys.getInputStream().readAllBytes())).contains("portopt:plan:dev/" + plan.fingerprint());
    }

    private static HttpResponse<String> send(HttpClient http, String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(2)
    void theEdgeServesTlsHidesManagementEndpointsAndCarriesRequestIds() throws Exception {
        String auth = "Bearer " + Launcher.devApiKey();
        for (String path : List.of("/metrics", "/actuator/prometheus", "/prometheus", "/health", "/error")) {
            HttpResponse<String> r = send(HTTP, "http://127.0.0.1:8080" + path, "Authorization", auth);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path).doesNotContain("# HELP").doesNotContain("# TYPE");
        }
        assertThat(send(HTTP, "http://127.0.0.1:8080/v1/ports").statusCode()).as("no key").isEqualTo(401);

        // TLS on 8443 with the certificate the launcher generated, trusted from its file.
        java.security.cert.Certificate expected;
        try (var in = Files.newInputStream(Launcher.ROOT.resolve("var/tls/portopt-local.crt"))) {
            expected = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("portopt-local", expected);
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(tls).build();
        HttpResponse<String> secure = send(https, "https://127.0.0.1:8443/v1/ports", "Authorization", auth);
        assertThat(secure.statusCode()).isEqualTo(200);
        assertThat(secure.sslSession()).hasValueSatisfying(
                session -> assertThat(sessionCertificate(session)).isEqualTo(expected));
        assertThat(send(https, "https://127.0.0.1:8443/metrics").statusCode()).isEqualTo(404);

        // Request ids: made by HAProxy when absent, kept when given, echoed, and in the servers' JSON logs.
        assertThat(send(HTTP, "http://127.0.0.1:8080/v1/ports", "Authorization", auth).headers()
                .firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).isNotBlank());
        String traceId = "e2e-trace-" + System.nanoTime();
        assertThat(send(HTTP, "http://127.0.0.1:8080/v1/ports", "Authorization", auth, "X-Request-Id", traceId)
                .headers().firstValue("X-Request-Id")).hasValue(traceId);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String logged = null;
        while (logged == null && System.nanoTime() < deadline) {
            for (String server : List.of("server-1", "server-2")) {
                Path log = Launcher.ROOT.resolve("var/log/" + server + ".log");
                logged = Files.readAllLines(log).stream().filter(l -> l.contains(traceId)).findFirst().orElse(logged);
            }
            Thread.sleep(200);
        }
        assertThat(logged).as("access log line with the request id").isNotNull()
                .startsWith("{").contains("\"request_id\":\"" + traceId + "\"").contains("\"tenant\":\"dev\"");
        String key = Launcher.devApiKey();
        for (String server : List.of("server-1", "server-2", "haproxy")) {
            assertThat(Files.readString(Launcher.ROOT.resolve("var/log/" + server + ".log")))
                    .as("the API key in %s's log", server).doesNotContain(key.split("_", 3)[2]);
        }
    }

    private static java.security.cert.Certificate sessionCertificate(javax.net.ssl.SSLSession session) {
        try {
            return session.getPeerCertificates()[0];
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Without raised malloc thresholds glibc hands HAProxy's 128 kB buffers back to the kernel after
     * every request, which cost about 60 % of its throughput here (docs/performance.md): a launcher
     * change that drops them must fail a test, not only a benchmark.
     */
    @Test
    @Order(2)
    void haproxyRunsWithTheMallocThresholdsThatKeepItsBuffers() throws Exception {
        String pid = Files.readString(Launcher.ROOT.resolve("var/run/haproxy.pid")).trim();
        String environ = new String(Files.readAllBytes(Path.of("/proc", pid, "environ")), java.nio.charset.StandardCharsets.UTF_8);
        // This glibc parses GLIBC_TUNABLES in place at start-up and leaves a NUL where each ':' was,
        // so the tunables after the first read as entries of their own: join them back.
        environ = environ.replace("\0glibc.", ":glibc.");
        assertThat(List.of(environ.split("\0"))).anySatisfy(v -> assertThat(v)
                .startsWith("GLIBC_TUNABLES=").contains("glibc.malloc.mmap_threshold=1048576", "glibc.malloc.trim_threshold="));
    }

    @Test
    @Order(2)
    void tenantsAreIsolatedRateLimitedAndRevocableOnEveryServer() throws Exception {
        String tenant = "e2e-" + (System.nanoTime() % 1_000_000);
        String limitedKey = Launcher.stdout(120, "keys", "create", "--tenant", tenant, "--rate", "2").trim();
        assertThat(limitedKey).startsWith("pok_");
        String keyId = limitedKey.split("_")[1];
        PortoptClient dev = client(LB);
        PortoptClient limited = PortoptClient.builder(LB).apiKey(limitedKey)
                .retryPolicy(io.portopt.client.RetryPolicy.none()).build();

        PlanResponse devPlan = dev.createPlan(smallRequest(System.nanoTime(), 200));
        assertThat(limited.send("GET", "/v1/plans/" + devPlan.id(), null).status()).as("another tenant's plan").isEqualTo(404);
        assertThat(dev.getPlan(devPlan.id()).id()).isEqualTo(devPlan.id());

        // Ten times its rate: mostly 429 with Retry-After, while the dev tenant's work is still solved.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        List<java.util.concurrent.Future<io.portopt.client.Response>> flood = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            flood.add(pool.submit(() -> limited.send("GET", "/v1/ports", null)));
            Thread.sleep(50);
        }
        PlanResponse solved = dev.createPlan(smallRequest(System.nanoTime(), 200));
        int refused = 0;
        for (var f : flood) {
            io.portopt.client.Response r = f.get();
            if (r.status() == 429) {
                refused++;
                assertThat(r.header("Retry-After")).matches("[1-9][0-9]*");
                assertThat(r.header("RateLimit-Policy")).isEqualTo("\"tenant\";q=2;w=1");
            } else {
                assertThat(r.status()).isEqualTo(200);
            }
        }
        pool.shutdown();
        assertThat(refused).as("429s among 20 requests in 1 s at a rate of 2/s").isBetween(12, 18);
        assertThat(solved.quality().source()).isEqualTo("solved");

        assertThat(Launcher.stdout(120, "keys", "list")).contains(keyId).contains(tenant);
        Launcher.stdout(120, "keys", "revoke", keyId);
        long revoked = System.nanoTime();
        for (int port : new int[] {8081, 8082}) {
            PortoptClient direct = PortoptClient.builder(URI.create("http://127.0.0.1:" + port)).apiKey(limitedKey)
                    .retryPolicy(io.portopt.client.RetryPolicy.none()).build();
            int status = 0;
            while (System.nanoTime() - revoked < Duration.ofSeconds(5).toNanos()
                    && (status = direct.send("GET", "/v1/ports", null).status()) != 401) {
                Thread.sleep(100);
            }
            assertThat(status).as("server on %d within 5 s of the revocation", port).isEqualTo(401);
        }
    }

    @Test
    @Order(2)
    void thePrimaryStreamsToAReplicaInRecovery() throws Exception {
        try (var primary = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5433/portopt", "postgres", "");
             var replica = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5434/portopt", "postgres", "")) {
            var rs = primary.createStatement().executeQuery("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'");
            rs.next();
            assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(1);
            var rr = replica.createStatement().executeQuery("SELECT pg_is_in_recovery()");
            rr.next();
            assertThat(rr.getBoolean(1)).isTrue();
        }
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    @Order(2)
    void aChainOfReplansIsReadableFromEveryServer() throws Exception {
        PortoptClient lb = client(LB);
        PlanResponse current = lb.createPlan(largeRequest(System.nanoTime() & 0xffff, 60, 200));
        List<String> chain = new ArrayList<>(List.of(current.id()));
        List<String> changes = List.of(
                "{\"type\": \"eta\", \"vessel\": \"V40\", \"arrival\": \"2026-03-01T20:00:00Z\"}",
                "{\"type\": \"cancel\", \"vessel\": \"V9\"}",
                "{\"type\": \"add\", \"vessel\": {\"id\": \"V900\", \"arrival\": \"2026-03-01T05:00:00Z\", \"handlingMinutes\": 300}}",
                "{\"type\": \"handling\", \"vessel\": \"V12\", \"handlingMinutes\": 420}",
                "{\"type\": \"closure\", \"berth\": \"B2\", \"from\": \"2026-03-02T06:00:00Z\", \"to\": \"2026-03-02T12:00:00Z\"}");
        for (String change : changes) {
            current = lb.replan(current.id(), "{\"now\": \"2026-03-01T04:00:00Z\", \"changes\": [" + change
                    + "], \"options\": {\"timeLimitMs\": 100}}");
            assertThat(current.basedOn()).isEqualTo(chain.getLast());
            chain.add(current.id());
        }
        for (int port : new int[] {8081, 8082}) {
            PortoptClient server = client(URI.create("http://127.0.0.1:" + port));
            for (int i = 1; i < chain.size(); i++) {
                assertThat(server.getPlan(chain.get(i)).basedOn()).as("link %d on :%d", i, port).isEqualTo(chain.get(i - 1));
            }
        }
    }

    @Test
    @Order(2)
    void jobEventsStreamThroughTheLoadBalancer() throws Exception {
        PortoptClient lb = client(LB);
        io.portopt.client.Job job = lb.submitJob(largeRequest(System.nanoTime() & 0xffff, 150, 3000));
        List<io.portopt.client.JobEvent> events = new ArrayList<>();
        io.portopt.client.JobEvent last = lb.streamJobEvents(job.id(), events::add);
        System.out.println("job events through the LB: " + events.stream().map(io.portopt.client.JobEvent::name).toList());
        assertThat(events.getFirst().name()).isEqualTo("snapshot");
        assertThat(events).anyMatch(e -> e.name().equals("improvement"));
        assertThat(last).isNotNull();
        assertThat(last.name()).isEqualTo("done");
        assertThat(lb.getPlan(last.job().planId()).assignments()).hasSize(150);
    }

    @Test
    @Order(3)
    void prometheusScrapesEveryTargetAndEveryDashboardQueryAnswers() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String targets = get("http://127.0.0.1:9090/api/v1/targets?state=active");
        while ((targets.contains("\"health\":\"down\"") || targets.contains("\"health\":\"unknown\""))
                && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            targets = get("http://127.0.0.1:9090/api/v1/targets?state=active");
        }
        assertThat(targets).doesNotContain("\"health\":\"down\"", "\"health\":\"unknown\"");
        for (String job : List.of("portopt", "haproxy", "redis", "postgres", "alertmanager", "prometheus")) {
            assertThat(targets).contains("\"job\":\"" + job + "\"");
        }
        String rules = get("http://127.0.0.1:9090/api/v1/rules?type=alert");
        assertThat(rules.split("\"type\":\"alerting\"").length - 1).as("alerting rules loaded").isGreaterThanOrEqualTo(6);
        // Light traffic so that request metrics exist, then every dashboard query must answer.
        PortoptClient client = client(LB);
        for (int i = 0; i < 10; i++) {
            client.createPlan(smallRequest(7_000 + i % 3, 20));
        }
        String metrics = get("http://127.0.0.1:9081/metrics") + get("http://127.0.0.1:9082/metrics");
        assertThat(metrics).contains("http_server_requests_seconds", "portopt_plans_total{", "source=\"solved\"",
                "portopt_plan_latency_seconds_bucket{");
        // GC metrics exist only once a server has collected: ZGC may not have needed to yet.
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        for (String server : List.of("server-1", "server-2")) {
            String pid = Files.readString(Launcher.ROOT.resolve("var/run/" + server + ".pid")).trim();
            Process gc = new ProcessBuilder(jcmd.toString(), pid, "GC.run").redirectErrorStream(true).start();
            assertThat(gc.waitFor()).as(new String(gc.getInputStream().readAllBytes())).isZero();
        }
        Thread.sleep(12_000);
        Process p = new ProcessBuilder("bash", Launcher.ROOT.resolve("ops/grafana/queries.sh").toString(), "--live",
                "http://127.0.0.1:9090").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        System.out.println(output.lines().filter(l -> !l.startsWith("ok")).reduce("", (a, b) -> a + b + "\n"));
        assertThat(p.waitFor()).as("dashboard queries against the live Prometheus:\n%s", output).isZero();
    }

    @Test
    @Order(4)
    void aServerKilledUnderLoadCostsNoFailedRequestAndComesBackUp() throws Exception {
        Map<String, Integer> outcomes;
        List<String> ids;
        try (OpenLoad load = new OpenLoad(URI.create("http://127.0.0.1:8080/v1/plans"), 40, 40 * 20,
                n -> smallRequest(n % 3 == 0 ? 1 : 1000 + n, 50))) {
            Thread.sleep(4000);
            Launcher.ok(30, "kill", "server-1");
            awaitStatus("server-1", "DOWN", Duration.ofSeconds(6));
            Thread.sleep(8000);
            outcomes = load.finish(Duration.ofSeconds(60));
            ids = load.planIds();
        }
        System.out.println("outcomes under kill -9: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        assertThat(outcomes.get("200")).as("requests answered").isGreaterThan(300);

        Launcher.ok(240, "start", "server-1");
        awaitStatus("server-1", "UP", Duration.ofSeconds(30));
        // Every plan handed out is readable afterwards, from the server that was killed too.
        PortoptClient restarted = client(URI.create("http://127.0.0.1:8081"));
        for (String id : new ArrayList<>(ids).subList(0, Math.min(50, ids.size()))) {
            assertThat(restarted.getPlan(id).id()).isEqualTo(id);
        }

        // Large bodies (far beyond HAProxy's default 16 kB buffers, within its 128 kB) solving on
        // both servers when one is killed: HAProxy must have kept them whole to send them again.
        Thread.sleep(10_000);   // server-1's slow start: both servers take their full share again
        List<CompletableFuture<HttpResponse<String>>> large = new ArrayList<>();
        // When each answer's headers arrived: an answer that server-2 had begun sending before it
        // died cannot be saved by a load balancer (only a client's retry can); the replay of a
        // request body is what this checks, on the requests still unanswered at the kill.
        long[] headersAt = new long[4];
        java.util.Arrays.fill(headersAt, Long.MAX_VALUE);
        long seeds = java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 1L << 40);
        System.out.println("large requests: seeds " + seeds + "..." + (seeds + 3));
        for (int i = 0; i < 4; i++) {
            String body = largeRequest(seeds + i, 1200, 3000);
            assertThat(body.length()).as("a body of 64-128 kB").isBetween(65_536, 126_000);
            int slot = i;
            large.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/v1/plans"))
                    .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + Launcher.devApiKey())
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), info -> {
                        headersAt[slot] = System.nanoTime();
                        return HttpResponse.BodySubscribers.ofString(java.nio.charset.StandardCharsets.UTF_8);
                    }));
            Thread.sleep(50);
        }
        Thread.sleep(1000);
        long killedAt;
        try {
            killedAt = System.nanoTime();
            Launcher.ok(30, "kill", "server-2");
            int inFlight = 0;
            for (int i = 0; i < 4; i++) {
                try {
                    int status = large.get(i).get(60, TimeUnit.SECONDS).statusCode();
                    if (headersAt[i] > killedAt) {
                        inFlight++;
                        assertThat(status).as("a large request in flight at the kill").isEqualTo(200);
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(headersAt[i]).as("a large request unanswered at the kill failed: %s", e.getCause())
                            .isLessThan(killedAt);
                    System.out.println("a large answer server-2 was sending when it died was cut: " + e.getCause());
                }
            }
            assertThat(inFlight).as("large requests still unanswered at the kill").isPositive();
        } finally {
            Launcher.ok(240, "start", "server-2");
        }
        awaitStatus("server-2", "UP", Duration.ofSeconds(30));
    }

    /** Runs 20 req/s of mixed distinct and repeated requests while {@code fault} happens; returns outcomes. */
    private static Map<String, Integer> underLoad(long seedBase, Runnable fault, List<String> idsOut) throws Exception {
        try (OpenLoad load = new OpenLoad(URI.create("http://127.0.0.1:8080/v1/plans"), 20, 20 * 40,
                n -> smallRequest(n % 4 == 0 ? seedBase : seedBase + n, 50))) {
            Thread.sleep(3000);
            fault.run();
            Map<String, Integer> outcomes = load.finish(Duration.ofSeconds(60));
            idsOut.addAll(load.planIds());
            return outcomes;
        }
    }

    @Test
    @Order(5)
    void redisStoppedUnderLoadCostsNoFailedRequest() throws Exception {
        List<String> ids = new ArrayList<>();
        Map<String, Integer> outcomes = underLoad(2_000_000, () -> {
            Launcher.must("stop", "redis");
            Launcher.pause(12_000);
            Launcher.must("start", "redis");
            Launcher.pause(3000);
        }, ids);
        System.out.println("outcomes with Redis stopped: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        PortoptClient lb = client(LB);
        for (String id : ids.subList(0, Math.min(40, ids.size()))) {
            assertThat(lb.getPlan(id).id()).isEqualTo(id);
        }
    }

    @Test
    @Order(6)
    void primaryStoppedUnderLoadCostsNoFailedRequestAndLosesNoPlan() throws Exception {
        List<String> ids = new ArrayList<>();
        Map<String, Integer> outcomes = underLoad(3_000_000, () -> {
            Launcher.must("stop", "postgres-primary");
            Launcher.pause(12_000);
            Launcher.must("start", "postgres-primary");
            Launcher.pause(3000);
        }, ids);
        System.out.println("outcomes with the primary stopped: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        // Once the write-behind buffers have drained, every plan handed out is in PostgreSQL.
        assertThat(awaitMissingFromPrimary(ids)).as("plan ids not in PostgreSQL after recovery").isEmpty();
    }

    /**
     * Gray failures: a component alive but silent, under steady load through a plain client with no
     * retries and a 10 s timeout. Not one request may fail, and every plan id handed out must be
     * readable afterwards. The slowest answer is printed (its bound, the time limit + 2 s, is a
     * figure of {@code ./portopt bench chaos}).
     */
    private static Map<String, Integer> underGrayFault(long seedBase, Runnable fault, List<String> idsOut) throws Exception {
        return underGrayFault(seedBase, 40, Duration.ofSeconds(60), fault, idsOut);
    }

    /** As above, sending for up to {@code seconds} and waiting up to {@code drain} for the last answers. */
    static Map<String, Integer> underGrayFault(long seedBase, int seconds, Duration drain, Runnable fault,
                                               List<String> idsOut) throws Exception {
        try (OpenLoad load = new OpenLoad(URI.create("http://127.0.0.1:8080/v1/plans"), 10, 10 * seconds,
                n -> smallRequest(n % 4 == 0 ? seedBase : seedBase + n, 200), Duration.ofSeconds(10))) {
            Thread.sleep(3000);
            fault.run();
            Map<String, Integer> outcomes = load.finish(drain);
            idsOut.addAll(load.planIds());
            System.out.println("slowest answer: " + load.slowestOkMillis() + " ms (time limit 200 ms)");
            return outcomes;
        }
    }

    static void assertReadable(List<String> ids) throws Exception {
        PortoptClient lb = client(LB);
        for (String id : ids) {
            assertThat(lb.getPlan(id).id()).isEqualTo(id);
        }
    }

    @Test
    @Order(6)
    void aFrozenServerCostsNoFailedRequestWhetherItComesBackOrNot() throws Exception {
        List<String> ids = new ArrayList<>();
        Map<String, Integer> outcomes = underGrayFault(4_000_000, () -> {
            Launcher.must("freeze", "server-1");
            Launcher.pause(15_000);
            Launcher.must("thaw", "server-1");
            Launcher.pause(3000);
        }, ids);
        System.out.println("outcomes with server-1 frozen 15 s: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        awaitStatus("server-1", "UP", Duration.ofSeconds(30));
        assertReadable(ids);

        // Frozen for good: from before the load starts to after it ends.
        List<String> more = new ArrayList<>();
        Launcher.must("freeze", "server-2");
        try {
            outcomes = underGrayFault(4_500_000, () -> Launcher.pause(20_000), more);
        } finally {
            Launcher.must("thaw", "server-2");
        }
        System.out.println("outcomes with server-2 frozen throughout: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        awaitStatus("server-2", "UP", Duration.ofSeconds(30));
        assertReadable(more);
    }

    @Test
    @Order(6)
    void aRedisThatAnswersNothingCostsNoFailedRequest() throws Exception {
        List<String> ids = new ArrayList<>();
        Map<String, Integer> outcomes = underGrayFault(5_000_000, () -> {
            try {
                // Blocks Redis itself (the whole server) for 12 s: alive, connections open, silent.
                assertThat(new ProcessBuilder("redis-cli", "-p", "6380", "DEBUG", "SLEEP", "12")
                        .redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS)).isTrue();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            Launcher.pause(3000);
        }, ids);
        System.out.println("outcomes with Redis asleep 12 s: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        assertReadable(ids);
    }

    @Test
    @Order(6)
    void aFrozenPrimaryCostsNoFailedRequestAndLosesNoPlan() throws Exception {
        List<String> ids = new ArrayList<>();
        Map<String, Integer> outcomes = underGrayFault(6_000_000, () -> {
            Launcher.must("freeze", "postgres-primary");
            Launcher.pause(15_000);
            Launcher.must("thaw", "postgres-primary");
            Launcher.pause(3000);
        }, ids);
        System.out.println("outcomes with the primary frozen 15 s: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        assertThat(awaitMissingFromPrimary(ids)).as("plan ids not in PostgreSQL after the primary thawed").isEmpty();
        assertReadable(ids);
    }

    @Test
    @Order(6)
    void slowLinksToRedisAndPostgresCostNoFailedRequestAndLoseNoPlan() throws Exception {
        List<String> ids = new ArrayList<>();
        Map<String, Integer> outcomes = underNetworkFault(7_000_000, () -> {
            // +200 ms each way on every server's links to Redis and both PostgreSQL nodes, 30 s.
            Launcher.must("net", "delay", "200");
            Launcher.pause(30_000);
            Launcher.must("net", "heal");
        }, ids);
        System.out.println("outcomes with +200 ms on every Redis and PostgreSQL packet for 30 s: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        assertThat(awaitMissingFromPrimary(ids)).as("plan ids not in PostgreSQL after the links healed").isEmpty();
        assertReadable(ids);
    }

    /**
     * A server the load balancer reaches but that cannot reach Redis or PostgreSQL (its links
     * black-holed: connections open, nothing gets through) stays ready and keeps answering from what
     * it has: the solver needs neither, its plans wait in the write-behind buffer, reads it cannot
     * serve time out into the load balancer's retry on the other server. Then it is healed and
     * every plan it handed out is in PostgreSQL.
     */
    @Test
    @Order(6)
    void aServerCutOffFromRedisAndPostgresKeepsAnsweringAndLosesNoPlan() throws Exception {
        List<String> ids = new ArrayList<>();
        List<Integer> readiness = new ArrayList<>();
        Map<String, Integer> outcomes = underNetworkFault(8_000_000, () -> {
            Launcher.must("net", "cut", "server-1");
            for (int i = 0; i < 10; i++) {
                Launcher.pause(2500);
                readiness.add(status("http://127.0.0.1:9081/health/ready"));
            }
            Launcher.must("net", "heal");
        }, ids);
        System.out.println("outcomes with server-1 cut off from Redis and PostgreSQL for 25 s: " + outcomes
                + "; its readiness meanwhile: " + readiness);
        assertThat(outcomes.keySet()).containsExactly("200");
        assertThat(readiness).as("server-1 stays ready while cut off").containsOnly(200);
        assertThat(awaitMissingFromPrimary(ids)).as("plan ids not in PostgreSQL after the heal").isEmpty();
        assertReadable(ids);
    }

    /** As {@link #underGrayFault}, with every link healed afterwards even when the fault failed halfway. */
    private static Map<String, Integer> underNetworkFault(long seedBase, Runnable fault, List<String> idsOut) throws Exception {
        try {
            return underGrayFault(seedBase, fault, idsOut);
        } finally {
            Launcher.must("net", "heal");
        }
    }

    /** The status of a GET through {@link #send}, or -1 when it got no answer (a fault runs in a Runnable). */
    private static int status(String url) {
        try {
            return send(HTTP, url).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The ids still missing from the primary after up to 60 s for the write-behind buffers to drain. */
    private static List<String> awaitMissingFromPrimary(List<String> ids) throws Exception {
        return awaitMissing("jdbc:postgresql://127.0.0.1:5433/portopt", ids);
    }

    /**
     * The plan ids still missing from the database at {@code jdbcUrl} after up to 60 s for the
     * write-behind buffers to drain; while it cannot be reached, every id counts as missing.
     */
    static List<String> awaitMissing(String jdbcUrl, List<String> ids) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<String> missing = missing(jdbcUrl, ids);
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            missing = missing(jdbcUrl, ids);
        }
        return missing;
    }

    private static List<String> missing(String jdbcUrl, List<String> ids) {
        List<String> missing = new ArrayList<>();
        try (var db = DriverManager.getConnection(jdbcUrl, "postgres", "");
             var st = db.prepareStatement("SELECT 1 FROM plan WHERE id = ?::uuid")) {
            for (String id : ids) {
                st.setString(1, id);
                try (var rs = st.executeQuery()) {
                    if (!rs.next()) {
                        missing.add(id);
                    }
                }
            }
        } catch (java.sql.SQLException e) {
            return ids;
        }
        return missing;
    }

    /**
     * A job whose server is killed mid-run: another server takes it over when the lease runs out,
     * resumes from the checkpoint with the budget left, and finishes it exactly once.
     */
    @Test
    @Order(6)
    void aJobWhoseServerIsKilledIsResumedElsewhereAndFinishedOnce() throws Exception {
        PortoptClient lb = client(LB);
        io.portopt.client.Job job = lb.submitJob(largeRequest(System.nanoTime() & 0xffff, 200, 20_000));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (((job = lb.getJob(job.id())).planId() == null || job.solvedMs() < 6000) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(job.state()).isEqualTo("running");
        assertThat(job.planId()).as("a checkpoint").isNotNull();
        double checkpoint = job.bestObjective();
        String owner = psql("SELECT lease_owner FROM job WHERE id = '" + job.id() + "'");
        String server = owner.substring(0, owner.indexOf('/'));
        System.out.println("job " + job.id() + " runs on " + server + "; killing it at " + job.solvedMs() + " ms solved");
        long killedAt = System.nanoTime();
        Launcher.ok(30, "kill", server);
        io.portopt.client.Job done = lb.awaitJob(job.id(), Duration.ofMillis(250), Duration.ofSeconds(20 + 5 + 30));
        double seconds = (System.nanoTime() - killedAt) / 1e9;
        System.out.printf("job finished %.1f s after the kill: %s%n", seconds, done);
        assertThat(done.state()).isEqualTo("done");
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.solvedMs()).isGreaterThanOrEqualTo(20_000);
        assertThat(done.bestObjective()).isLessThanOrEqualTo(checkpoint + 1e-6);
        assertThat(psql("SELECT lease_owner IS NULL AND finished_at IS NOT NULL FROM job WHERE id = '" + job.id() + "'")).isEqualTo("t");
        assertThat(lb.getPlan(done.planId()).assignments()).isNotEmpty();
        Launcher.ok(240, "start", server);
        awaitStatus(server, "UP", Duration.ofSeconds(30));
    }

    private static String psql(String sql) throws Exception {
        Process p = new ProcessBuilder("psql", "-h", "127.0.0.1", "-p", "5433", "-U", "postgres", "-d", "portopt", "-At", "-c", sql)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor()).as("psql: " + out).isZero();
        return out;
    }

    @Test
    @Order(7)
    void scalingToThreeServersAddsAServerThatTakesTraffic() throws Exception {
        Launcher.ok(300, "scale", "3");
        awaitStatus("server-3", "UP", Duration.ofSeconds(30));
        PortoptClient client = client(LB);
        long before = haproxyTotal("server-3");
        // A returning or new server ramps up over HAProxy's 10 s slowstart: spread the requests.
        for (int i = 0; i < 40 && haproxyTotal("server-3") <= before; i++) {
            client.createPlan(smallRequest(50_000 + i, 20));
            Thread.sleep(500);
        }
        assertThat(haproxyTotal("server-3")).isGreaterThan(before);
        assertThat(Launcher.ok(30, "status")).containsPattern("server-3\\s+\\d+\\s+8083\\s+healthy");
    }

    @Test
    @Order(8)
    void aKilledServerRaisesAnAlertThatReachesTheWebhookSink() throws Exception {
        Path sink = Launcher.ROOT.resolve("var/log/alerts.jsonl");
        long before = Files.exists(sink) ? Files.size(sink) : 0;
        Launcher.ok(30, "kill", "server-2");
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        boolean alerted = serverDownAlerted("server-2");
        while (!alerted && System.nanoTime() < deadline) {
            Thread.sleep(5000);
            alerted = serverDownAlerted("server-2");
        }
        assertThat(alerted).as("an active PortoptServerDown alert for server-2 in Alertmanager:\n%s",
                get("http://127.0.0.1:9093/api/v2/alerts?active=true")).isTrue();
        long sinkDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!newSinkLines(sink, before).contains("\"server\":\"server-2\"") && System.nanoTime() < sinkDeadline) {
            Thread.sleep(2000);
        }
        assertThat(newSinkLines(sink, before)).contains("PortoptServerDown", "server-2");
    }

    private static boolean serverDownAlerted(String server) throws Exception {
        var alerts = tools.jackson.databind.json.JsonMapper.builder().build()
                .readTree(get("http://127.0.0.1:9093/api/v2/alerts?active=true"));
        for (var alert : alerts) {
            var labels = alert.get("labels");
            if (labels != null && "PortoptServerDown".equals(labels.path("alertname").asString())
                    && server.equals(labels.path("server").asString())) {
                return true;
            }
        }
        return false;
    }

    /** What the alert sink logged after {@code offset} (earlier runs' alerts do not count). */
    private static String newSinkLines(Path sink, long offset) throws IOException {
        if (!Files.exists(sink)) {
            return "";
        }
        byte[] all = Files.readAllBytes(sink);
        return offset >= all.length ? "" : new String(all, (int) offset, all.length - (int) offset);
    }

    @Test
    @Order(9)
    void downLeavesNoProcessAndNoListener() throws Exception {
        List<Long> pids = new ArrayList<>();
        try (var files = Files.list(Launcher.ROOT.resolve("var/run"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
                pids.add(Long.parseLong(Files.readString(f).trim()));
            }
        }
        assertThat(pids).isNotEmpty();
        Launcher.ok(180, "down");
        for (long pid : pids) {
            assertThat(running(pid)).as("pid %d still running: %s", pid,
                    ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?")).isFalse();
        }
        for (int port : CLUSTER_PORTS) {
            assertThat(listening(port)).as("something listens on %d", port).isFalse();
        }
    }

    /** Alive and not a zombie (an exited process its parent has not reaped yet is gone for us). */
    static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc/" + pid + "/stat");
        if (!Files.exists(stat)) {
            return false;
        }
        try {
            String s = Files.readString(stat);
            return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
