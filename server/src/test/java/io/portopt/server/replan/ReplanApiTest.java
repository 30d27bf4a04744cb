package io.portopt.server.replan;

import io.portopt.client.PlanResponse;
import io.portopt.client.PortoptClient;
import io.portopt.client.PortoptException;
import io.portopt.client.Response;
import io.portopt.server.PlanChecks;
import io.portopt.server.RealServices;
import io.portopt.server.TestTenants;
import io.portopt.server.plan.RequestMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Pins, fixed berths and replans through real HTTP against a real server, PostgreSQL and Redis. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class ReplanApiTest {
    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

    @Autowired
    JdbcClient jdbc;

    @Autowired
    RequestMapper requestMapper;

    @LocalServerPort
    int port;

    PortoptClient client;
    long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);

    @BeforeAll
    static void services() {
        RealServices.require();
    }

    @BeforeEach
    void connect() {
        client = PortoptClient.builder(URI.create("http://127.0.0.1:" + port)).apiKey(TestTenants.newKey(jdbc, "replan")).build();
    }

    /** A congested port: {@code vessels} calls over about two days on four berths, one of them short. */
    static Map<String, Object> request(int vessels, long seed, long timeLimitMs) {
        Random random = new Random(seed);
        List<Map<String, Object>> berths = List.of(
                Map.of("id", "B1", "lengthM", 400), Map.of("id", "B2", "lengthM", 400),
                Map.of("id", "B3", "lengthM", 300), Map.of("id", "B4", "lengthM", 200));
        List<Map<String, Object>> calls = new ArrayList<>();
        for (int i = 1; i <= vessels; i++) {
            calls.add(new LinkedHashMap<>(Map.of("id", String.format("V%02d", i),
                    "arrival", T0.plus(Duration.ofMinutes(random.nextInt(48 * 60))).toString(),
                    "lengthM", 150 + random.nextInt(200), "handlingMinutes", 240 + random.nextInt(600))));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("berths", berths);
        r.put("vessels", calls);
        r.put("options", Map.of("timeLimitMs", timeLimitMs, "seed", seed));
        return r;
    }

    @Test
    void aPinnedVesselStaysExactlyWhereItIsAndAFixedBerthIsKept() throws Exception {
        Map<String, Object> r = request(20, seed, 200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> vessels = (List<Map<String, Object>>) r.get("vessels");
        Instant pinStart = T0.plus(Duration.ofHours(30));
        vessels.get(0).put("pinned", Map.of("berth", "B2", "start", pinStart.toString()));
        vessels.get(0).put("lengthM", 180);
        vessels.get(1).put("fixedBerth", "B4");
        vessels.get(1).put("lengthM", 150);
        PlanResponse plan = client.createPlan(r);
        PlanChecks.assertFeasible(requestMapper, r, plan);
        Map<String, PlanResponse.Assignment> byVessel = byVessel(plan);
        assertThat(byVessel.get("V01").berth()).isEqualTo("B2");
        assertThat(byVessel.get("V01").start()).isEqualTo(pinStart);
        assertThat(byVessel.get("V02").berth()).isEqualTo("B4");
    }

    @Test
    void pinsThatOverlapAreRefusedNamingBothVessels() throws Exception {
        Map<String, Object> r = request(6, seed, 100);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> vessels = (List<Map<String, Object>>) r.get("vessels");
        vessels.get(2).put("pinned", Map.of("berth", "B1", "start", T0.plus(Duration.ofHours(10)).toString()));
        vessels.get(4).put("pinned", Map.of("berth", "B1", "start", T0.plus(Duration.ofHours(10)).plusSeconds(60).toString()));
        Response answer = client.send("POST", "/v1/plans", json(r));
        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.header("Content-Type")).contains("application/problem+json");
        assertThat(answer.text()).contains("V03").contains("V05");
    }

    @Test
    void aPinIntoAClosureOrAnUnknownBerthIsRefused() throws Exception {
        Map<String, Object> r = request(4, seed, 100);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> vessels = (List<Map<String, Object>>) r.get("vessels");
        r.put("berths", List.of(Map.of("id", "B1", "closures", List.of(Map.of("from", T0.plus(Duration.ofHours(5)).toString(),
                "to", T0.plus(Duration.ofHours(9)).toString()))), Map.of("id", "B2")));
        vessels.forEach(v -> v.remove("lengthM"));
        vessels.get(0).put("pinned", Map.of("berth", "B1", "start", T0.plus(Duration.ofHours(4)).toString()));
        Response closure = client.send("POST", "/v1/plans", json(r));
        assertThat(closure.status()).isEqualTo(422);
        assertThat(closure.text()).contains("V01").contains("vessels[0].pinned");

        vessels.get(0).put("pinned", Map.of("berth", "B9", "start", T0.plus(Duration.ofHours(4)).toString()));
        Response unknown = client.send("POST", "/v1/plans", json(r));
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.text()).contains("vessels[0].pinned.berth");
    }

    @Test
    void aReplanKeepsWhatStartedBeforeNowAndListsItsChanges() throws Exception {
        Map<String, Object> r = request(30, seed, 300);
        PlanResponse base = client.createPlan(r);
        List<PlanResponse.Assignment> byStart = base.assignments().stream()
                .sorted((a, b) -> a.start().compareTo(b.start())).toList();
        Instant now = byStart.get(byStart.size() / 3).start().plusSeconds(1);
        PlanResponse.Assignment later = byStart.get(byStart.size() * 2 / 3);
        Instant newArrival = later.start().plus(Duration.ofHours(2));
        Map<String, Object> replan = Map.of("now", now.toString(), "freezeMinutes", 0,
                "changes", List.of(Map.of("type", "eta", "vessel", later.vessel(), "arrival", newArrival.toString())),
                "options", Map.of("timeLimitMs", 200, "seed", seed));
        PlanResponse next = client.replan(base.id(), replan);

        assertThat(next.basedOn()).isEqualTo(base.id());
        assertThat(next.id()).isNotEqualTo(base.id());
        assertThat(next.quality().source()).isIn("solved", "approximate", "heuristic");
        Map<String, PlanResponse.Assignment> after = byVessel(next);
        for (PlanResponse.Assignment a : base.assignments()) {
            if (a.start().isBefore(now)) {
                assertThat(after.get(a.vessel())).as("frozen %s", a.vessel()).isEqualTo(a);
            } else if (after.containsKey(a.vessel())) {
                assertThat(after.get(a.vessel()).start()).as("%s starts after now", a.vessel()).isAfterOrEqualTo(now);
            }
        }
        assertThat(after.get(later.vessel()).start()).isAfterOrEqualTo(newArrival);
        // The changed problem, as the client sees it, is met (pins and "now" only add constraints).
        Map<String, Object> changed = withArrival(r, later.vessel(), newArrival);
        PlanChecks.assertFeasible(requestMapper, changed, next);
        // Every listed change is real, and every real change is listed.
        Map<String, PlanResponse.Assignment> before = byVessel(base);
        Map<String, String> kinds = next.changes().stream().collect(Collectors.toMap(PlanResponse.Change::vessel, PlanResponse.Change::kind));
        for (var e : after.entrySet()) {
            PlanResponse.Assignment was = before.get(e.getKey());
            String expected = was == null ? "assigned" : !was.berth().equals(e.getValue().berth()) ? "movedBerth"
                    : !was.start().equals(e.getValue().start()) ? "shifted" : null;
            assertThat(kinds.get(e.getKey())).as("change of %s", e.getKey()).isEqualTo(expected);
        }
        assertThat(next.objective().stabilityPenalty()).isNotNull();
        // Readable by id, with its base named.
        PlanResponse read = client.getPlan(next.id());
        assertThat(read.basedOn()).isEqualTo(base.id());
        assertThat(read.assignments()).isEqualTo(next.assignments());
    }

    @Test
    void aChainOfFiveReplansIsReadableLinkByLink() throws Exception {
        Map<String, Object> r = request(24, seed, 200);
        PlanResponse base = client.createPlan(r);
        Instant now = T0;
        List<Map<String, Object>> changes = List.of(
                Map.of("type", "eta", "vessel", "V03", "arrival", T0.plus(Duration.ofHours(20)).toString()),
                Map.of("type", "cancel", "vessel", "V07"),
                Map.of("type", "add", "vessel", Map.of("id", "V99", "arrival", T0.plus(Duration.ofHours(6)).toString(),
                        "handlingMinutes", 300, "lengthM", 180)),
                Map.of("type", "handling", "vessel", "V11", "handlingMinutes", 420),
                Map.of("type", "closure", "berth", "B2", "from", T0.plus(Duration.ofHours(12)).toString(),
                        "to", T0.plus(Duration.ofHours(18)).toString()));
        List<String> ids = new ArrayList<>(List.of(base.id()));
        PlanResponse current = base;
        for (Map<String, Object> change : changes) {
            current = client.replan(current.id(), Map.of("now", now.toString(), "changes", List.of(change),
                    "options", Map.of("timeLimitMs", 100, "seed", seed)));
            assertThat(current.basedOn()).isEqualTo(ids.getLast());
            ids.add(current.id());
        }
        for (int i = 1; i < ids.size(); i++) {
            assertThat(client.getPlan(ids.get(i)).basedOn()).isEqualTo(ids.get(i - 1));
        }
        PlanResponse last = client.getPlan(ids.getLast());
        Map<String, PlanResponse.Assignment> assigned = byVessel(last);
        assertThat(assigned).doesNotContainKey("V07");
        assertThat(assigned).containsKey("V99");
        assertThat(assigned.get("V03").start()).isAfterOrEqualTo(T0.plus(Duration.ofHours(20)));
        for (PlanResponse.Assignment a : last.assignments()) {
            boolean inClosure = a.berth().equals("B2") && a.start().isBefore(T0.plus(Duration.ofHours(18)))
                    && a.end().isAfter(T0.plus(Duration.ofHours(12)));
            assertThat(inClosure).as("%s overlaps the new closure", a.vessel()).isFalse();
        }
    }

    @Test
    void aRetriedReplanGetsTheSamePlan() throws Exception {
        PlanResponse base = client.createPlan(request(12, seed, 100));
        Map<String, Object> replan = Map.of("now", T0.toString(), "changes", List.of(Map.of("type", "cancel", "vessel", "V02")),
                "options", Map.of("timeLimitMs", 100));
        String key = UUID.randomUUID().toString();
        PlanResponse first = client.replan(base.id(), replan, key);
        PlanResponse again = client.replan(base.id(), replan, key);
        assertThat(again.id()).isEqualTo(first.id());
    }

    @Test
    void anotherTenantCannotReplanOrReadAPlan() throws Exception {
        PlanResponse base = client.createPlan(request(8, seed, 100));
        PortoptClient other = PortoptClient.builder(URI.create("http://127.0.0.1:" + port)).apiKey(TestTenants.newKey(jdbc, "other")).build();
        Response replan = other.send("POST", "/v1/plans/" + base.id() + ":replan",
                "{\"now\":\"2026-03-01T00:00:00Z\",\"changes\":[]}".getBytes(StandardCharsets.UTF_8));
        assertThat(replan.status()).isEqualTo(404);
        assertThat(other.send("GET", "/v1/plans/" + base.id(), null).status()).isEqualTo(404);
        assertThat(client.send("POST", "/v1/plans/" + UUID.randomUUID() + ":replan",
                "{\"changes\":[]}".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(404);
    }

    @Test
    void badChangesAreRefusedFieldByField() throws Exception {
        PlanResponse base = client.createPlan(request(10, seed, 100));
        Instant firstStart = base.assignments().stream().map(PlanResponse.Assignment::start).min(Instant::compareTo).orElseThrow();
        String frozen = base.assignments().stream().filter(a -> a.start().equals(firstStart)).findFirst().orElseThrow().vessel();
        Map<String, Object> replan = Map.of("now", firstStart.plusSeconds(60).toString(), "changes", List.of(
                Map.of("type", "eta", "vessel", "NOPE", "arrival", T0.toString()),
                Map.of("type", "teleport", "vessel", "V01"),
                Map.of("type", "eta", "vessel", frozen, "arrival", T0.plus(Duration.ofDays(1)).toString()),
                Map.of("type", "add", "vessel", Map.of("id", "V01", "arrival", T0.toString(), "handlingMinutes", 60)),
                Map.of("type", "handling", "vessel", "V02", "handlingMinutes", 0),
                Map.of("type", "closure", "berth", "B9", "from", T0.toString(), "to", T0.plusSeconds(3600).toString())));
        PortoptException e = assertThrows(PortoptException.class, () -> client.replan(base.id(), replan));
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.getMessage()).contains("changes[0].vessel").contains("changes[1].type").contains("changes[2].vessel")
                .contains("changes[3].vessel.id").contains("changes[4].handlingMinutes").contains("changes[5].berth");
    }

    @Test
    void stabilityIsForReplansOnly() throws Exception {
        Map<String, Object> r = request(4, seed, 100);
        r.put("options", Map.of("timeLimitMs", 100, "stability", Map.of("perBerthMove", 10)));
        Response answer = client.send("POST", "/v1/plans", json(r));
        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.text()).contains("options.stability");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withArrival(Map<String, Object> r, String vessel, Instant arrival) {
        Map<String, Object> copy = new HashMap<>(r);
        List<Map<String, Object>> vessels = new ArrayList<>();
        for (Map<String, Object> v : (List<Map<String, Object>>) r.get("vessels")) {
            Map<String, Object> c = new LinkedHashMap<>(v);
            if (c.get("id").equals(vessel)) {
                c.put("arrival", arrival.toString());
            }
            vessels.add(c);
        }
        copy.put("vessels", vessels);
        return copy;
    }

    private static Map<String, PlanResponse.Assignment> byVessel(PlanResponse plan) {
        Map<String, PlanResponse.Assignment> out = new HashMap<>();
        plan.assignments().forEach(a -> out.put(a.vessel(), a));
        return out;
    }

    private static byte[] json(Object o) {
        return tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsBytes(o);
    }
}
