package io.portopt.server.console;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import io.portopt.server.system.ApiException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/**
 * The planner's console: three static files served from memory at {@code /console/}, and the
 * live strip's {@code GET /v1/cluster/pulse}. The files need no key (they hold no data; the page
 * asks for the key and sends it on every API call); the API calls do.
 */
@RestController
class ConsoleController {
    /** Exactly the files the console has; the tenant filter lets only these through without a key. */
    static final Set<String> FILES = Set.of("index.html", "console.js", "console.css");
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
    private final Map<String, byte[]> files;
    private final ClusterPulse pulse;

    ConsoleController(ClusterPulse pulse) {
        this.pulse = pulse;
        this.files = Map.of("index.html", load("index.html"), "console.js", load("console.js"),
                "console.css", load("console.css"));
    }

    @GetMapping("/console/")
    ResponseEntity<byte[]> index() {
        return file("index.html");
    }

    @GetMapping("/console/{name}")
    ResponseEntity<byte[]> file(@PathVariable String name) {
        byte[] body = files.get(name);
        if (body == null) {
            throw ApiException.notFound("no such resource");
        }
        MediaType type = name.endsWith(".html") ? MediaType.parseMediaType("text/html;charset=UTF-8")
                : name.endsWith(".js") ? MediaType.parseMediaType("text/javascript;charset=UTF-8")
                : MediaType.parseMediaType("text/css;charset=UTF-8");
        return ResponseEntity.ok().contentType(type).cacheControl(CacheControl.noCache())
                .header("Content-Security-Policy", CSP).header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer").body(body);
    }

    @GetMapping("/v1/cluster/pulse")
    ClusterPulse.Pulse pulse() {
        return pulse.latest();
    }

    private static byte[] load(String name) {
        try (InputStream in = ConsoleController.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console file missing from the jar: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
