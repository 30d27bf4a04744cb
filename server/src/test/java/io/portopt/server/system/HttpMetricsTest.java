package io.portopt.server.system;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portopt.client.PlanResponse;
import io.portopt.client.PortoptClient;
import io.portopt.server.RealServices;
import io.portopt.server.TestTenants;
import io.portopt.server.plan.PlanApiTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The http.server.requests series dashboards and alerts read: route templates, never raw paths. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class HttpMetricsTest {
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

    private double count(String method, String uri, String status) {
        Timer timer = registry.find(HttpMetrics.METRIC).tag("method", method).tag("uri", uri).tag("status", status).timer();
        return timer == null ? 0 : timer.count();
    }

    @Test
    void requestsAreCountedByRouteTemplateStatusAndOutcome() throws Exception {
        String key = TestTenants.newKey(jdbc, "metrics");
        PortoptClient client = PortoptClient.builder(URI.create("http://127.0.0.1:" + port)).apiKey(key).build();
        double posts = count("POST", "/v1/plans", "200");
        double reads = count("GET", "/v1/plans/{id}", "200");
        double missing = count("GET", "/v1/plans/{id}", "404");
        double unauthenticated = count("GET", "/v1/**", "401");
        double odd = count("UNKNOWN", "/v1/**", "405");

        PlanResponse plan = client.createPlan(PlanApiTest.smallRequest(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE)));
        client.getPlan(plan.id());      // answered from memory, before Spring MVC's mapping
        client.getPlan(plan.id());
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> notFound = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/v1/plans/00000000-0000-4000-8000-000000000000")).header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(notFound.statusCode()).isEqualTo(404);
        HttpResponse<String> oddMethod = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/ports"))
                .header("Authorization", "Bearer " + key).method("BREW", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(oddMethod.statusCode()).isEqualTo(405);

        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/ports")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);

        // A response can reach the client a moment before its filter records it.
        awaitCount("POST", "/v1/plans", "200", posts + 1);
        awaitCount("GET", "/v1/plans/{id}", "200", reads + 2);
        awaitCount("GET", "/v1/plans/{id}", "404", missing + 1);
        awaitCount("GET", "/v1/**", "401", unauthenticated + 1);
        awaitCount("UNKNOWN", "/v1/**", "405", odd + 1);
        Timer created = registry.find(HttpMetrics.METRIC).tag("uri", "/v1/plans").tag("method", "POST").tag("status", "200").timer();
        assertThat(created.getId().getTag("outcome")).isEqualTo("SUCCESS");
        assertThat(created.getId().getTag("exception")).isEqualTo("none");
        assertThat(registry.find(HttpMetrics.METRIC).timers())
                .as("no series per plan id, and no series per invented method")
                .noneMatch(t -> t.getId().getTag("uri").contains(plan.id()))
                .noneMatch(t -> "BREW".equals(t.getId().getTag("method")));
    }

    private void awaitCount(String method, String uri, String status, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (count(method, uri, status) < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(count(method, uri, status)).as(method + " " + uri + " " + status).isEqualTo(expected);
    }
}
