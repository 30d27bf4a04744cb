package io.portopt.server.plan;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portopt.server.cache.CacheProperties;
import io.portopt.server.tenant.Tenant;
import org.springframework.stereotype.Component;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Request bodies this server has already parsed and validated, by their SHA-256: a byte-identical
 * repeat (a client re-sending the same problem, an SDK retry) is answered from the plan cache
 * without parsing it again, and under overload without the parse that would only end in a 503.
 * Only self-contained bodies are remembered: one naming a stored port depends on data that can
 * change, so it always takes the full path.
 */
@Component
public class RepeatedBodies {
    private final Cache<String, String> fingerprints;

    public RepeatedBodies(CacheProperties properties) {
        this.fingerprints = Caffeine.newBuilder().maximumSize(properties.localPlanEntries())
                .expireAfterWrite(properties.localPlanTtl()).build();
    }

    /** The digest that identifies a body for one tenant. */
    public String digest(Tenant tenant, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(tenant.id().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update((byte) 0);
            return HexFormat.of().formatHex(sha.digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fingerprint of the validated request these exact bytes were, or null. */
    public String fingerprintOf(String digest) {
        return fingerprints.getIfPresent(digest);
    }

    public void remember(String digest, PlanRequest body, ResolvedRequest request) {
        if (body.port() == null) {
            fingerprints.put(digest, request.fingerprint());
        }
    }
}
