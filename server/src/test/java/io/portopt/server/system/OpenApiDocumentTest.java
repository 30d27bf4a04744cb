package io.portopt.server.system;

import io.portopt.server.TestTenants;

import io.portopt.client.PortoptClient;
import io.portopt.client.Response;
import io.portopt.server.RealServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class OpenApiDocumentTest {
    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @LocalServerPort
    int port;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @BeforeAll
    static void services() {
        RealServices.require();
    }

    @Test
    void theServedDocumentDescribesEveryRouteTheServerHas() throws Exception {
        Response r = PortoptClient.builder(URI.create("http://127.0.0.1:" + port)).apiKey(TestTenants.newKey(jdbc, "openapi")).build().send("GET", "/v1/openapi.json", null);
        assertThat(r.status()).isEqualTo(200);
        JsonNode doc = JsonConfig.strictMapper().readTree(r.body());
        assertThat(doc.get("openapi").asString()).startsWith("3.");
        Set<String> documented = new TreeSet<>(doc.get("paths").propertyNames());
        Set<String> served = new TreeSet<>();
        mappings.getHandlerMethods().keySet().forEach(info -> served.addAll(info.getPatternValues()));
        served.remove("/error");
        assertThat(documented).containsAll(served);
    }
}
