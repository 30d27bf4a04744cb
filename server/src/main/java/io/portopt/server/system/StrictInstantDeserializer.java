package io.portopt.server.system;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.exc.MismatchedInputException;

import java.time.DateTimeException;
import java.time.Instant;

/**
 * Instants exactly as the contract says: ISO-8601 strings. Jackson's own deserializer also takes
 * numbers as epoch seconds (so {@code 1e400} silently became 1970) and trims spaces; here anything
 * but a well-formed instant string is a 400 naming the field.
 */
final class StrictInstantDeserializer extends StdDeserializer<Instant> {
    StrictInstantDeserializer() {
        super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw MismatchedInputException.from(p, Instant.class,
                    "expected an ISO-8601 instant string such as \"2026-01-01T10:00:00Z\"");
        }
        String text = p.getString();
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            throw MismatchedInputException.from(p, Instant.class,
                    "not an ISO-8601 instant (e.g. \"2026-01-01T10:00:00Z\")");
        }
    }
}
