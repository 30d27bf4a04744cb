package io.portopt.client;

/** The server answered with an error status; {@code problem} is its problem+json body. */
public class PortoptException extends RuntimeException {
    private final int status;
    private final String problem;
    private final String retryAfter;

    public PortoptException(int status, String problem, String retryAfter) {
        super("HTTP " + status + ": " + problem);
        this.status = status;
        this.problem = problem;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    public String problem() {
        return problem;
    }

    /** The Retry-After header of a 503 or 429, or null. */
    public String retryAfter() {
        return retryAfter;
    }
}
