package io.portopt.client;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** A raw HTTP answer. */
public record Response(int status, Map<String, List<String>> headers, byte[] body) {
    public String header(String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().getFirst();
            }
        }
        return null;
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
