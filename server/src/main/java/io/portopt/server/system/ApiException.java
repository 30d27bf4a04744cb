package io.portopt.server.system;

import java.util.List;

/** A client-visible failure that becomes an RFC 9457 problem response. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String title;
    private final List<FieldError> errors;
    private final Long retryAfterSeconds;

    public ApiException(int status, String title, String detail, List<FieldError> errors, Long retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException badRequest(String detail, List<FieldError> errors) {
        return new ApiException(400, "Bad Request", detail, errors, null);
    }

    public static ApiException unprocessable(String detail, List<FieldError> errors) {
        return new ApiException(422, "Unprocessable Content", detail, errors, null);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "Not Found", detail, List.of(), null);
    }

    public static ApiException tooLarge(String detail) {
        return new ApiException(413, "Content Too Large", detail, List.of(), null);
    }

    public static ApiException unavailable(String detail, long retryAfterSeconds) {
        return new ApiException(503, "Service Unavailable", detail, List.of(), retryAfterSeconds);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<FieldError> errors() {
        return errors;
    }

    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
