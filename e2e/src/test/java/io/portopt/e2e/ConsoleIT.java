package io.portopt.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The planner's console in headless Chromium (Playwright), through the load balancer of a real
 * two-server cluster: e2e/console/console.test.mjs holds the browser steps; this runs it and fails
 * with its output when a step fails. Screenshots land in e2e/target/.
 */
class ConsoleIT {
    private static final Path DIR = Launcher.ROOT.resolve("e2e/console");

    @BeforeAll
    static void cluster() throws Exception {
        Launcher.run(180, "down");
        Launcher.up(2);
    }

    @AfterAll
    static void stop() throws Exception {
        Launcher.run(180, "down");
    }

    @Test
    void theConsoleWorksInARealBrowser() throws IOException, InterruptedException {
        assertThat(DIR.resolve("node_modules/playwright-core")).as("playwright-core is installed (./portopt test runs npm ci)")
                .isDirectory();
        assertThat(Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium")))
                .as("Chromium is installed (./portopt deps)").exists();
        Path log = Launcher.ROOT.resolve("e2e/target/console-test.log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder("node", "--test", "--test-reporter=spec", "console.test.mjs")
                .directory(DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PORTOPT_URL", "http://127.0.0.1:8080");
        pb.environment().put("PORTOPT_API_KEY", Launcher.devApiKey());
        pb.environment().put("PORTOPT_SCREENSHOTS", Launcher.ROOT.resolve("e2e/target").toString());
        Process p = pb.start();
        boolean finished = p.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(finished).as("the browser tests finished within 5 minutes").isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(Launcher.ROOT.resolve("e2e/target/console.png")).exists();
    }

    @Test
    void theLiveStripLosesAKilledServerAndGetsItBack() throws Exception {
        assertThat(serversUpWithin(20, 2)).isEqualTo(2);
        Launcher.ok(30, "kill", "server-2");
        assertThat(serversUpWithin(20, 1)).as("a killed server drops out of the pulse").isEqualTo(1);
        Launcher.ok(240, "start", "server-2");
        assertThat(serversUpWithin(30, 2)).as("a restarted server is back in the pulse").isEqualTo(2);
    }

    /** Polls the pulse through the load balancer until it reports {@code wanted} servers, or the time runs out. */
    private static int serversUpWithin(int seconds, int wanted) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:8080/v1/cluster/pulse"))
                .header("Authorization", "Bearer " + Launcher.devApiKey()).timeout(java.time.Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        int up = -1;
        while (System.nanoTime() < deadline) {
            var r = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                var m = java.util.regex.Pattern.compile("\"serversUp\":(\\d+)").matcher(r.body());
                if (m.find()) {
                    up = Integer.parseInt(m.group(1));
                    if (up == wanted) {
                        return up;
                    }
                }
            }
            Thread.sleep(500);
        }
        return up;
    }
}
