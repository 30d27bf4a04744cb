package io.portopt.server.chart;

import io.portopt.server.plan.PlanController;
import io.portopt.server.plan.PlanRequest;
import io.portopt.server.plan.PlanStore;
import io.portopt.server.system.ApiException;
import io.portopt.server.system.FieldError;
import io.portopt.server.tenant.Tenant;
import jakarta.servlet.http.HttpServletRequest;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;

/**
 * {@code GET /v1/plans/{id}.svg}: the stored plan as a berth Gantt chart, drawn from the plan and the
 * request it answers. {@code compare} names another plan whose differences are marked, {@code tz}
 * an IANA zone for a second row of local-time labels.
 */
@RestController
class ChartController {
    static final MediaType SVG = MediaType.parseMediaType("image/svg+xml;charset=UTF-8");

    private final PlanStore store;
    private final JsonMapper json;
    /**
     * Stored plans never change, so neither does their chart: a console that redraws a plan (a
     * time zone applied, a comparison undone) gets the bytes again instead of a render and two
     * PostgreSQL reads. Bounded by size; a 250-vessel chart is about 180 kB.
     */
    private final Cache<String, byte[]> rendered = Caffeine.newBuilder()
            .maximumWeight(32L << 20).<String, byte[]>weigher((k, v) -> v.length).build();

    ChartController(PlanStore store, JsonMapper json) {
        this.store = store;
        this.json = json;
    }

    @GetMapping("/v1/plans/{id}.svg")
    ResponseEntity<byte[]> svg(@PathVariable String id, @RequestParam(required = false) String compare,
                               @RequestParam(required = false) String tz, HttpServletRequest request) {
        Tenant tenant = Tenant.of(request);
        ZoneId zone = null;
        if (tz != null && !tz.isEmpty()) {
            try {
                zone = ZoneId.of(tz);
            } catch (DateTimeException e) {
                throw ApiException.badRequest("invalid time zone", List.of(new FieldError("tz", "an IANA zone such as Europe/Amsterdam")));
            }
        }
        UUID uuid = PlanController.planId(id);
        String cacheKey = tenant.id() + "/" + uuid + "/" + (compare == null ? "" : compare) + "/" + (zone == null ? "" : zone.getId());
        byte[] cached = rendered.getIfPresent(cacheKey);
        if (cached != null) {
            return answer(cached);
        }
        JsonNode plan = json.readTree(store.find(tenant.id(), uuid)
                .orElseThrow(() -> ApiException.notFound("no plan '" + id + "'")));
        PlanRequest planRequest = store.findRequest(tenant.id(), uuid)
                .map(bytes -> json.readValue(bytes, PlanRequest.class))
                .orElseThrow(() -> ApiException.unprocessable(
                        "plan '" + id + "' was stored before plans kept their requests and cannot be drawn", List.of()));
        JsonNode other = null;
        if (compare != null && !compare.isEmpty()) {
            UUID otherId = PlanController.planId(compare);
            other = json.readTree(store.find(tenant.id(), otherId)
                    .orElseThrow(() -> ApiException.notFound("no plan '" + compare + "' to compare with")));
        }
        byte[] body = GanttChart.render(plan, planRequest, other, zone).getBytes(StandardCharsets.UTF_8);
        rendered.put(cacheKey, body);
        return answer(body);
    }

    private static ResponseEntity<byte[]> answer(byte[] body) {
        // Private: the chart belongs to one tenant.
        return ResponseEntity.ok().contentType(SVG).cacheControl(CacheControl.noCache().cachePrivate())
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
                .header("X-Content-Type-Options", "nosniff").body(body);
    }
}
