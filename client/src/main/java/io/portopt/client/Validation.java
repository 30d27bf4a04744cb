package io.portopt.client;

import java.util.List;

/** The answer of {@code POST /v1/plans:validate}. */
public record Validation(boolean valid, List<Problem> problems, List<Unplaceable> unplaceable, Integer vessels, Integer berths) {
    public record Problem(String field, String message) {
    }

    public record Unplaceable(String vessel, String reason, String detail) {
    }
}
