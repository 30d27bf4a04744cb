package io.portopt.server.system;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Reads a JSON request body with a size bound and turns every parse failure into a 400 naming the
 * field, without echoing internals (class names, stack traces) back to the client.
 */
@Component
public class JsonBodies {
    /** Smaller bodies bind in well under a millisecond whatever their shape. */
    private static final int SCAN_ABOVE_BYTES = 64 * 1024;
    private final JsonMapper mapper;
    private final LimitsProperties limits;

    public JsonBodies(JsonMapper mapper, LimitsProperties limits) {
        this.mapper = mapper;
        this.limits = limits;
    }

    public byte[] read(HttpServletRequest request) {
        String contentType = request.getContentType();
        if (contentType == null || !isJson(contentType)) {
            throw new ApiException(415, "Unsupported Media Type",
                    "send the body as JSON with Content-Type: application/json", List.of(), null);
        }
        String encoding = request.getHeader("Content-Encoding");
        if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            throw new ApiException(415, "Unsupported Media Type",
                    "Content-Encoding '" + abbreviate(encoding) + "' is not supported; send the body uncompressed",
                    List.of(), null);
        }
        long max = limits.maxBody().toBytes();
        long declared = request.getContentLengthLong();
        if (declared > max) {
            throw ApiException.tooLarge("body of " + declared + " bytes exceeds the limit of " + max + " bytes");
        }
        try (InputStream in = request.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(256, Math.min(declared, max)));
            byte[] buffer = new byte[16384];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > max) {
                    throw ApiException.tooLarge("body exceeds the limit of " + max + " bytes");
                }
                out.write(buffer, 0, n);
            }
            if (total == 0) {
                throw ApiException.badRequest("the request body is empty; send a JSON object", List.of());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw ApiException.badRequest("could not read the request body", List.of());
        }
    }

    public <T> T parse(byte[] body, Class<T> type) {
        requireUtf8(body);
        if (body.length > SCAN_ABOVE_BYTES) {
            requireMembersWithin(body, maxMembers());
        }
        try {
            return mapper.readValue(body, type);
        } catch (UnrecognizedPropertyException e) {
            String field = path(e);
            throw ApiException.badRequest("unknown field '" + e.getPropertyName() + "'",
                    List.of(new FieldError(field, "unknown field")));
        } catch (JacksonException e) {
            String field = path(e);
            String where = location(e.getLocation());
            String message = field.isEmpty() ? "malformed JSON" + where : "invalid value" + where;
            throw ApiException.badRequest(message, List.of(new FieldError(field, summary(e))));
        }
    }

    /** The most members any array or object of a valid body can have: the largest list limit. */
    private int maxMembers() {
        return Math.max(Math.max(limits.maxVessels(), limits.maxBerths()),
                Math.max(limits.maxClosuresPerBerth(), limits.maxTideWindows()));
    }

    /**
     * Refuses, with a 413, a body holding an array or object with more members than any valid one
     * can have, before binding it: a token scan stops at the first member too many, where binding
     * would first build every element (a million empty vessels: seconds of CPU and a large heap
     * for a 413). Malformed JSON is left to the binder, which names the place.
     */
    private void requireMembersWithin(byte[] body, int max) {
        int[] members = new int[64];
        boolean[] array = new boolean[64];
        int depth = 0;
        try (JsonParser parser = mapper.createParser(body)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.END_ARRAY || token == JsonToken.END_OBJECT) {
                    depth--;
                    continue;
                }
                boolean member = depth > 0 && (token == JsonToken.PROPERTY_NAME || array[depth]);
                if (member && ++members[depth] > max) {
                    throw ApiException.tooLarge("the body holds an array or object with more than " + max
                            + " members, more than any valid request has");
                }
                if (token == JsonToken.START_ARRAY || token == JsonToken.START_OBJECT) {
                    depth++;
                    if (depth == members.length) {
                        members = java.util.Arrays.copyOf(members, depth * 2);
                        array = java.util.Arrays.copyOf(array, depth * 2);
                    }
                    members[depth] = 0;
                    array[depth] = token == JsonToken.START_ARRAY;
                }
            }
        } catch (JacksonException e) {
            // Malformed: the binder reports it with its location.
        }
    }

    /** JSON, in UTF-8: {@code application/json} or {@code +json}, with no charset or a UTF-8 one. */
    private static boolean isJson(String contentType) {
        String[] parts = contentType.split(";");
        String base = parts[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!base.equals("application/json") && !(base.startsWith("application/") && base.endsWith("+json"))) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param[0].trim().equalsIgnoreCase("charset")) {
                String charset = param.length < 2 ? "" : param[1].trim().replace("\"", "").toLowerCase(java.util.Locale.ROOT);
                if (!charset.equals("utf-8") && !charset.equals("utf8")) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Strict UTF-8 (RFC 8259): the JSON parser tolerates overlong forms and code points beyond
     * U+10FFFF, which would let two different byte strings name the same id.
     */
    private static void requireUtf8(byte[] body) {
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw ApiException.badRequest("the request body is not valid UTF-8", List.of());
        }
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }

    static String path(JacksonException e) {
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String location(TokenStreamLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** The first line of Jackson's message, without its source excerpt or Java type names. */
    private static String summary(JacksonException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            return "invalid";
        }
        message = message.lines().findFirst().orElse("invalid");
        int cut = message.indexOf(": Failed to deserialize");
        if (cut > 0) {
            message = message.substring(0, cut);
        }
        java.util.regex.Matcher wrongType = WRONG_TYPE.matcher(message);
        if (wrongType.find()) {
            return "expected " + describe(wrongType.group(1)) + ", got " + wrongType.group(2).toLowerCase(java.util.Locale.ROOT)
                    + " value";
        }
        message = message.replaceAll("\\(?\\b[a-z]+(\\.[a-zA-Z_$][\\w$]*)+(Exception|Error)\\)?", "")
                .replaceAll("`[a-zA-Z_$][\\w.$]*\\.([A-Z][\\w$]*)`", "$1")
                .replaceAll("\\(class [\\w.$]+\\)", "")
                .replaceAll("io\\.portopt\\.[\\w.$]+\\.", "");
        // Whatever is left that still looks like a Java type (generics included) goes too.
        message = message.replaceAll("`[^`]*[.<$][^`]*`", "value").replaceAll("\\b(java|tools|io\\.portopt)\\.[\\w.$<>, ]+", "value");
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }

    private static final java.util.regex.Pattern WRONG_TYPE =
            java.util.regex.Pattern.compile("Cannot deserialize value of type `([^`]*)` from ([A-Za-z]+)");

    /** The JSON kind a Java type stands for, in the client's terms. */
    private static String describe(String javaType) {
        if (javaType.contains("List") || javaType.contains("[]") || javaType.contains("Set")) {
            return "an array";
        }
        if (javaType.contains("String")) {
            return "a string";
        }
        if (javaType.contains("Instant")) {
            return "an ISO-8601 instant string";
        }
        if (javaType.matches(".*\\b(Long|Integer|Double|long|int|double|Float|float|Short|BigDecimal)\\b.*")) {
            return "a number";
        }
        if (javaType.contains("Boolean") || javaType.contains("boolean")) {
            return "true or false";
        }
        return "an object";
    }
}
