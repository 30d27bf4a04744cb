package io.portopt.server.port;

import io.portopt.server.plan.RequestMapper;
import io.portopt.server.system.ApiException;
import io.portopt.server.system.FieldError;
import io.portopt.server.system.JsonBodies;
import io.portopt.server.tenant.Tenant;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code PUT/GET /v1/ports/{code}} and {@code GET /v1/ports}. */
@RestController
class PortController {
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final int MAX_LIST = 1000;

    private final PortService ports;
    private final JsonBodies bodies;
    private final RequestMapper validator;
    private final JsonMapper mapper;

    PortController(PortService ports, JsonBodies bodies, RequestMapper validator, JsonMapper mapper) {
        this.ports = ports;
        this.bodies = bodies;
        this.validator = validator;
        this.mapper = mapper;
    }

    @PutMapping("/v1/ports/{code}")
    ResponseEntity<byte[]> put(@PathVariable String code, HttpServletRequest request) {
        checkCode(code);
        PortBody body = bodies.parse(bodies.read(request), PortBody.class);
        if (body == null) {
            throw ApiException.badRequest("the request body must be a JSON object", List.of());
        }
        List<FieldError> errors = validator.validatePort(code, body);
        if (!errors.isEmpty()) {
            throw ApiException.unprocessable("the port data is invalid", errors);
        }
        PortData saved = ports.save(Tenant.of(request).id(), code, body);
        return ResponseEntity.status(saved.version() == 1 ? 201 : 200)
                .contentType(MediaType.APPLICATION_JSON).body(mapper.writeValueAsBytes(saved));
    }

    @GetMapping("/v1/ports/{code}")
    ResponseEntity<byte[]> get(@PathVariable String code, HttpServletRequest request) {
        checkCode(code);
        PortData port = ports.find(Tenant.of(request).id(), code).orElseThrow(() -> ApiException.notFound("no port '" + code + "'"));
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(mapper.writeValueAsBytes(port));
    }

    @GetMapping("/v1/ports")
    ResponseEntity<byte[]> list(@RequestParam(defaultValue = "100") String limit, HttpServletRequest request) {
        int n;
        try {
            n = Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > MAX_LIST) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIST,
                    List.of(new FieldError("limit", "must be between 1 and " + MAX_LIST)));
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                .body(mapper.writeValueAsBytes(Map.of("ports", ports.list(Tenant.of(request).id(), n))));
    }

    private static void checkCode(String code) {
        if (!CODE.matcher(code).matches()) {
            throw ApiException.notFound("no port with that code: codes are 1-32 letters, digits, '-' or '_'");
        }
    }
}
