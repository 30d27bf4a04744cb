package io.portopt.server.plan;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A finished plan as ready bytes: {@code core} is the response JSON object without its
 * {@code quality} member and without the closing brace, so a cache hit is answered by
 * concatenating bytes instead of serialising again.
 */
public record StoredPlan(String id, byte[] core) {
    private static final byte[] QUALITY = ",\"quality\":".getBytes(StandardCharsets.UTF_8);

    public byte[] withQuality(byte[] quality) {
        byte[] out = Arrays.copyOf(core, core.length + QUALITY.length + quality.length + 1);
        System.arraycopy(QUALITY, 0, out, core.length, QUALITY.length);
        System.arraycopy(quality, 0, out, core.length + QUALITY.length, quality.length);
        out[out.length - 1] = '}';
        return out;
    }

    /** Compact encoding for the shared cache: the id, a newline, then the core bytes. */
    public byte[] encode() {
        byte[] idBytes = id.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[idBytes.length + 1 + core.length];
        System.arraycopy(idBytes, 0, out, 0, idBytes.length);
        out[idBytes.length] = '\n';
        System.arraycopy(core, 0, out, idBytes.length + 1, core.length);
        return out;
    }

    public static StoredPlan decode(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return new StoredPlan(new String(bytes, 0, i, StandardCharsets.US_ASCII),
                        Arrays.copyOfRange(bytes, i + 1, bytes.length));
            }
        }
        throw new IllegalArgumentException("not an encoded plan");
    }
}
