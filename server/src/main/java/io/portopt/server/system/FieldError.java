package io.portopt.server.system;

/** One invalid field: a JSON path into the request ({@code vessels[3].arrival}) and what is wrong. */
public record FieldError(String field, String message) {
}
