package io.portopt.server.system;

import java.util.List;

/** A client-visible failure that becomes an RFC 9457 problem response. */
public class ApiException extends RuntimeException {
    static final int MAX_ERRORS = 100;
    private final int status;
    private final String title;
    private final List<FieldError> errors;
    private final Long retryAfterSeconds;

    public ApiException(int status, String title, String detail, List<FieldError> errors, Long retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.errors = capped(errors);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** At most {@value #MAX_ERRORS} field errors: a hostile body must not make a huge answer. */
    public static List<FieldError> capped(List<FieldError> errors) {
        if (errors.size() <= MAX_ERRORS) {
            return List.copyOf(errors);
        }
        List<FieldError> first = new java.util.ArrayList<>(errors.subList(0, MAX_ERRORS));
        first.add(new FieldError("", "and " + (errors.size() - MAX_ERRORS) + " more errors"));
        return List.copyOf(first);
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
