package io.portopt.server.replan;

import io.portopt.server.plan.PlanController;
import io.portopt.server.plan.PlanService;
import io.portopt.server.system.JsonBodies;
import io.portopt.server.tenant.Tenant;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;

/** {@code POST /v1/plans/{id}:replan}. */
@RestController
class ReplanController {
    private final ReplanService replans;
    private final PlanService plans;
    private final JsonBodies bodies;

    ReplanController(ReplanService replans, PlanService plans, JsonBodies bodies) {
        this.replans = replans;
        this.plans = plans;
        this.bodies = bodies;
    }

    @PostMapping("/v1/plans/{id}:replan")
    ResponseEntity<byte[]> replan(@PathVariable String id, HttpServletRequest request) throws InterruptedException {
        long received = System.nanoTime();
        long receivedEpochMs = System.currentTimeMillis();
        Tenant tenant = Tenant.of(request);
        String idempotencyKey = PlanController.idempotencyKey(request);
        boolean firstAttempt = "1".equals(request.getHeader(PlanController.ATTEMPT));
        var earlierAnswer = firstAttempt ? PlanService.NO_EARLIER_ANSWER : plans.earlierAnswer(tenant, idempotencyKey);
        ReplanRequest body = bodies.parse(bodies.read(request), ReplanRequest.class);
        PlanService.Reply reply = replans.replan(tenant, id, body, idempotencyKey, earlierAnswer, received,
                receivedEpochMs, request.getHeader(io.portopt.server.plan.AnswerDeadline.HEADER));
        return ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_JSON)
                .location(URI.create("/v1/plans/" + reply.planId()))
                .header("Cache-Status", reply.rung().cacheStatus())
                .body(reply.body());
    }
}
