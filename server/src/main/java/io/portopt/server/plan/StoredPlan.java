package io.portopt.server.plan;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A finished plan as ready bytes: {@code core} is the response JSON object without its
 * {@code quality} member and without the closing brace, so a cache hit is answered by
 * concatenating bytes instead of serialising again. {@code bound} (nullable) is the plan's proven
 * lower bound, which every answer with this plan reports in its quality.
 */
public record StoredPlan(String id, byte[] core, Bound bound) {
    private static final byte[] QUALITY = ",\"quality\":".getBytes(StandardCharsets.UTF_8);
    private static final String BOUND_PREFIX = "b:";

    /** No plan placing as many vessels can cost less than {@code lowerBoundMinutes}; {@code gap} is relative. */
    public record Bound(double lowerBoundMinutes, double gap, boolean optimal) {
    }

    public StoredPlan(String id, byte[] core) {
        this(id, core, null);
    }

    public byte[] withQuality(byte[] quality) {
        byte[] out = Arrays.copyOf(core, core.length + QUALITY.length + quality.length + 1);
        System.arraycopy(QUALITY, 0, out, core.length, QUALITY.length);
        System.arraycopy(quality, 0, out, core.length + QUALITY.length, quality.length);
        out[out.length - 1] = '}';
        return out;
    }

    /**
     * Compact encoding for the shared cache: the id and a newline; when there is a bound,
     * {@code b:<lower bound> <gap> <optimal>} and a newline; then the core bytes (a JSON object, so
     * it never starts with the bound's prefix).
     */
    public byte[] encode() {
        String head = id + "\n" + (bound == null ? ""
                : BOUND_PREFIX + bound.lowerBoundMinutes() + " " + bound.gap() + " " + bound.optimal() + "\n");
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(headBytes, headBytes.length + core.length);
        System.arraycopy(core, 0, out, headBytes.length, core.length);
        return out;
    }

    public static StoredPlan decode(byte[] bytes) {
        int idEnd = indexOf(bytes, 0);
        if (idEnd < 0) {
            throw new IllegalArgumentException("not an encoded plan");
        }
        String id = new String(bytes, 0, idEnd, StandardCharsets.US_ASCII);
        int coreStart = idEnd + 1;
        Bound bound = null;
        if (bytes.length > coreStart + 1 && bytes[coreStart] == 'b' && bytes[coreStart + 1] == ':') {
            int end = indexOf(bytes, coreStart);
            if (end < 0) {
                throw new IllegalArgumentException("not an encoded plan");
            }
            String[] f = new String(bytes, coreStart + 2, end - coreStart - 2, StandardCharsets.US_ASCII).split(" ");
            bound = new Bound(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Boolean.parseBoolean(f[2]));
            coreStart = end + 1;
        }
        return new StoredPlan(id, Arrays.copyOfRange(bytes, coreStart, bytes.length), bound);
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
