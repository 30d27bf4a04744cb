package io.portopt.server.chart;

import io.portopt.server.RealServices;
import io.portopt.server.TestTenants;
import io.portopt.server.system.JsonConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The plan as an SVG Gantt chart, read back as XML and checked against the plan's own times. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class ChartApiTest {
    private static final JsonMapper JSON = JsonConfig.strictMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @LocalServerPort
    int port;

    String key;
    long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);

    @BeforeAll
    static void services() {
        RealServices.require();
    }

    @BeforeEach
    void tenant() {
        key = TestTenants.newKey(jdbc, "charts");
    }

    /** Two berths, one with a closure and hours; a deep vessel that must wait for the tide; one too long for any berth. */
    private String request() {
        return """
                {"berths":[{"id":"B1","lengthM":350,"depthM":16.0,"opensAt":"2026-01-01T06:00:00Z",
                            "closures":[{"from":"2026-01-01T07:00:00Z","to":"2026-01-01T09:00:00Z"}]},
                           {"id":"B2","lengthM":250,"depthM":12.0,"closesAt":"2026-01-01T19:00:00Z"}],
                 "vessels":[{"id":"V1","arrival":"2026-01-01T10:00:00Z","lengthM":300,"draftM":14.5,"handlingMinutes":120},
                            {"id":"V2","arrival":"2026-01-01T11:00:00Z","lengthM":200,"draftM":10,"handlingMinutes":300},
                            {"id":"V<3>&\\"x","arrival":"2026-01-01T11:30:00Z","lengthM":200,"draftM":10,"handlingMinutes":240},
                            {"id":"V4","arrival":"2026-01-01T07:00:00Z","lengthM":200,"draftM":10,"handlingMinutes":180},
                            {"id":"TOO-LONG","arrival":"2026-01-01T12:00:00Z","lengthM":500,"draftM":10,"handlingMinutes":60}],
                 "tide":{"draftThresholdM":13.5,"windows":[{"from":"2026-01-01T09:30:00Z","to":"2026-01-01T10:30:00Z"},
                                                         {"from":"2026-01-01T20:00:00Z","to":"2026-01-01T20:30:00Z"}]},
                 "options":{"timeLimitMs":200,"seed":%d}}""".formatted(seed);
    }

    private HttpResponse<byte[]> send(String method, String path, String body, String apiKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode solve() throws Exception {
        HttpResponse<byte[]> r = send("POST", "/v1/plans", request(), key);
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static Document xml(byte[] body) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(body));
    }

    private static List<Element> byClass(Document doc, String tag, String cls) {
        List<Element> out = new ArrayList<>();
        NodeList all = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", tag);
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (List.of(e.getAttribute("class").split(" ")).contains(cls)) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element child(Element parent, String tag, String cls) {
        NodeList list = parent.getElementsByTagNameNS("http://www.w3.org/2000/svg", tag);
        for (int i = 0; i < list.getLength(); i++) {
            Element e = (Element) list.item(i);
            if (e.getAttribute("class").equals(cls)) {
                return e;
            }
        }
        return null;
    }

    @Test
    void theChartHasOneBarPerAssignmentAtItsBerthRowAndTimes() throws Exception {
        JsonNode plan = solve();
        String id = plan.path("id").asString();
        HttpResponse<byte[]> r = send("GET", "/v1/plans/" + id + ".svg", null, key);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("image/svg+xml");
        Document doc = xml(r.body());
        Element svg = doc.getDocumentElement();
        assertThat(svg.getLocalName()).isEqualTo("svg");
        long t0 = Long.parseLong(svg.getAttribute("data-t0"));
        double left = Double.parseDouble(svg.getAttribute("data-left"));
        double ppm = Double.parseDouble(svg.getAttribute("data-ppm"));
        double rowsTop = Double.parseDouble(svg.getAttribute("data-rows-top"));
        double rowHeight = Double.parseDouble(svg.getAttribute("data-row-height"));
        Map<String, Integer> rows = new HashMap<>();
        for (Element row : byClass(doc, "g", "row")) {
            rows.put(row.getAttribute("data-berth"), Integer.parseInt(row.getAttribute("data-row")));
        }
        assertThat(rows).containsOnlyKeys("B1", "B2");

        List<Element> bars = byClass(doc, "g", "bar");
        assertThat(bars).hasSize(plan.path("assignments").size());
        Map<String, Element> byVessel = new HashMap<>();
        bars.forEach(b -> byVessel.put(b.getAttribute("data-vessel"), b));
        for (JsonNode a : plan.path("assignments")) {
            Element bar = byVessel.get(a.path("vessel").asString());
            assertThat(bar).as(a.toString()).isNotNull();
            assertThat(bar.getAttribute("tabindex")).isEqualTo("0");
            assertThat(bar.getAttribute("aria-label")).contains(a.path("berth").asString());
            Element service = child(bar, "rect", "service");
            double expectedX = left + (Instant.parse(a.path("start").asString()).toEpochMilli() - t0) / 60_000.0 * ppm;
            assertThat(Double.parseDouble(service.getAttribute("x"))).isCloseTo(expectedX, org.assertj.core.data.Offset.offset(0.01));
            double y = Double.parseDouble(service.getAttribute("y"));
            int row = rows.get(a.path("berth").asString());
            assertThat(y).isBetween(rowsTop + row * rowHeight, rowsTop + (row + 1) * rowHeight);
        }
        // The deep vessel berths in a tidal window and, its handling ending outside one, waits for the next.
        JsonNode v1 = null;
        for (JsonNode a : plan.path("assignments")) {
            if (a.path("vessel").asString().equals("V1")) {
                v1 = a;
            }
        }
        assertThat(v1).isNotNull();
        long v1Minutes = (Instant.parse(v1.path("end").asString()).getEpochSecond()
                - Instant.parse(v1.path("start").asString()).getEpochSecond()) / 60;
        assertThat(v1Minutes).as(plan.toString()).isGreaterThan(120);
        assertThat(child(byVessel.get("V1"), "rect", "tail")).isNotNull();
        assertThat(byClass(doc, "rect", "tide-window")).hasSize(2);
        assertThat(byClass(doc, "rect", "closure")).hasSize(1);
        assertThat(byClass(doc, "rect", "closed-hours")).isNotEmpty();
        // The hostile id is escaped, not markup.
        assertThat(byVessel).containsKey("V<3>&\"x");
        List<Element> unassigned = byClass(doc, "text", "unassigned");
        assertThat(unassigned).hasSize(1);
        assertThat(unassigned.get(0).getTextContent()).startsWith("TOO-LONG: ");
    }

    @Test
    void aComparisonMarksTheVesselsThatMovedOrShifted() throws Exception {
        JsonNode base = solve();
        String id = base.path("id").asString();
        String replan = """
                {"now":"2026-01-01T00:00:00Z","changes":[{"type":"eta","vessel":"V2","arrival":"2026-01-01T16:00:00Z"},
                 {"type":"closure","berth":"B2","from":"2026-01-01T00:00:00Z","to":"2026-01-01T13:00:00Z"}],
                 "options":{"timeLimitMs":200}}""";
        HttpResponse<byte[]> r = send("POST", "/v1/plans/" + id + ":replan", replan, key);
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        JsonNode next = JSON.readTree(r.body());
        int moved = 0;
        int shifted = 0;
        for (JsonNode c : next.path("changes")) {
            if (c.path("kind").asString().equals("movedBerth")) {
                moved++;
            } else if (c.path("kind").asString().equals("shifted")) {
                shifted++;
            }
        }
        assertThat(moved + shifted).isPositive();
        HttpResponse<byte[]> svg = send("GET", "/v1/plans/" + next.path("id").asString() + ".svg?compare=" + id
                + "&tz=Europe/Amsterdam", null, key);
        assertThat(svg.statusCode()).isEqualTo(200);
        Document doc = xml(svg.body());
        assertThat(byClass(doc, "g", "moved")).hasSize(moved);
        assertThat(byClass(doc, "g", "shifted")).hasSize(shifted);
        assertThat(byClass(doc, "rect", "ghost")).hasSize(moved + shifted);
        assertThat(new String(svg.body())).contains("Europe/Amsterdam").contains("compared with " + id);
    }

    @Test
    void theChartNeedsAKeyAndAPlanOfThisTenant() throws Exception {
        String id = solve().path("id").asString();
        assertThat(send("GET", "/v1/plans/" + id + ".svg", null, null).statusCode()).isEqualTo(401);
        String otherTenant = TestTenants.newKey(jdbc, "charts-other");
        assertThat(send("GET", "/v1/plans/" + id + ".svg", null, otherTenant).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/v1/plans/not-a-plan.svg", null, key).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/v1/plans/" + id + ".svg?tz=Mars/Olympus", null, key).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/v1/plans/" + id + ".svg?compare=" + java.util.UUID.randomUUID(), null, key).statusCode())
                .isEqualTo(404);
    }
}
