package io.portopt.server.job;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;

/**
 * Completion webhooks: only to URLs on the configured allow-list (no request can make a server call
 * an arbitrary address), signed with HMAC-SHA256 over the timestamp and the body, as
 * {@code Portopt-Signature: t=<unix seconds>,v1=<hex>} where the MAC covers {@code "<t>.<body>"}.
 * A receiver recomputes it with the shared secret and refuses old timestamps (replays).
 */
final class Webhooks {
    static final String SIGNATURE_HEADER = "Portopt-Signature";

    private Webhooks() {
    }

    /**
     * True when {@code url} is http(s) and starts with one of the allowed prefixes, compared on the
     * parsed, normalised URI so that userinfo or a look-alike host cannot slip past a prefix.
     */
    static boolean allowed(String url, List<String> allowList) {
        URI uri;
        try {
            uri = new URI(url).normalize();
        } catch (Exception e) {
            return false;
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            return false;
        }
        String canonical = uri.toString();
        for (String prefix : allowList) {
            if (!prefix.isBlank() && canonical.startsWith(prefix.trim())) {
                return true;
            }
        }
        return false;
    }

    static String signature(String secret, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return "t=" + timestampSeconds + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
