package io.portopt.server.hostile;

import io.portopt.server.PortoptApplication;
import io.portopt.server.RealServices;
import io.portopt.server.TestTenants;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * One real server (test profile: real PostgreSQL and Redis, random ports) shared by the hostile
 * suite's JUnit and jqwik classes. jqwik properties get no Spring test injection, so the suite
 * starts the application itself, once, on first use, and keeps it for the other class (a second
 * start would cost more than the idle server); Spring's shutdown hook closes it when the test JVM exits.
 */
final class HostileServer {
    private static HostileServer instance;

    final ConfigurableApplicationContext context;
    final int port;
    final int managementPort;
    final JdbcClient jdbc;
    /** A key of a fresh tenant without a rate limit. */
    final String key;
    final RawHttp http;

    private HostileServer() {
        RealServices.require();
        context = new SpringApplicationBuilder(PortoptApplication.class)
                .profiles("test")
                // Command-line arguments: they outrank application.yaml (builder properties() would not).
                .run("--server.port=0", "--management.server.port=0", "--portopt.server-name=hostile");
        port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
        managementPort = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.management.port"));
        jdbc = context.getBean(JdbcClient.class);
        key = TestTenants.newKey(jdbc, "fuzz");
        http = new RawHttp(port);
    }

    /** The running server, started on first use. */
    static synchronized HostileServer get() {
        if (instance == null || !instance.context.isActive()) {
            instance = new HostileServer();
        }
        return instance;
    }
}
