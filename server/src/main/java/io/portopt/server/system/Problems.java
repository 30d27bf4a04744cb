package io.portopt.server.system;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

/** Builds problem+json responses; never includes stack traces or exception class names. */
public final class Problems {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Problems() {
    }

    public static ResponseEntity<byte[]> of(ApiException e, String instance) {
        return of(e.status(), e.title(), e.getMessage(), instance, e.errors(), e.retryAfterSeconds());
    }

    /** Writes a problem from a servlet filter, where no controller advice runs. */
    public static void write(jakarta.servlet.http.HttpServletResponse response, ResponseEntity<byte[]> problem)
            throws java.io.IOException {
        response.setStatus(problem.getStatusCode().value());
        problem.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
        byte[] body = problem.getBody();
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    public static ResponseEntity<byte[]> of(int status, String title, String detail, String instance,
                                            List<FieldError> errors, Long retryAfterSeconds) {
        ProblemBody body = new ProblemBody("about:blank", title, status, detail, instance, errors);
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(status)
                .contentType(MediaType.parseMediaType(ProblemBody.MEDIA_TYPE));
        if (retryAfterSeconds != null) {
            builder.header(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        return builder.body(MAPPER.writeValueAsBytes(body));
    }
}
