package io.portopt.server.system;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Liveness and readiness on the API port, for the load balancer. Readiness turns false as soon as
 * graceful shutdown begins, so the balancer stops sending new work while in-flight requests drain.
 */
@RestController
public class HealthController {
    private static final byte[] UP = "{\"status\":\"UP\"}".getBytes();
    private static final byte[] DOWN = "{\"status\":\"DOWN\"}".getBytes();

    private final ApplicationAvailability availability;

    public HealthController(ApplicationAvailability availability) {
        this.availability = availability;
    }

    @GetMapping("/health/live")
    ResponseEntity<byte[]> live() {
        return respond(availability.getLivenessState() == LivenessState.CORRECT);
    }

    @GetMapping("/health/ready")
    ResponseEntity<byte[]> ready() {
        return respond(availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC);
    }

    private static ResponseEntity<byte[]> respond(boolean up) {
        return ResponseEntity.status(up ? 200 : 503).contentType(MediaType.APPLICATION_JSON).body(up ? UP : DOWN);
    }
}
