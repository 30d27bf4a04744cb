package io.portopt.server.system;

import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.InputStream;

/** Serves the OpenAPI document kept in the repository (server/src/main/resources/openapi.json). */
@RestController
public class OpenApiController {
    private final byte[] document;

    public OpenApiController() throws IOException {
        try (InputStream in = new ClassPathResource("openapi.json").getInputStream()) {
            document = in.readAllBytes();
        }
    }

    @GetMapping("/v1/openapi.json")
    ResponseEntity<byte[]> openapi() {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(document);
    }
}
