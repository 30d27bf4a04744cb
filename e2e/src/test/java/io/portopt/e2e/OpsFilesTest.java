package io.portopt.e2e;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ops files are tested like code: Prometheus config and rules (promtool check + unit tests of
 * every alert), Alertmanager config (amtool), and every Grafana panel query parses.
 */
class OpsFilesTest {
    @Test
    void prometheusAlertmanagerAndGrafanaFilesPassTheirChecks() throws Exception {
        Process p = new ProcessBuilder("bash", Launcher.ROOT.resolve("ops/prometheus/check.sh").toString())
                .directory(Launcher.ROOT.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        System.out.println(output);
        assertThat(p.waitFor()).as(output).isZero();
    }

    @Test
    void theRenderedHaproxyConfigIsValid() throws Exception {
        java.nio.file.Path var = java.nio.file.Files.createTempDirectory("portopt-var-");
        java.nio.file.Files.createDirectories(var.resolve("run"));
        java.nio.file.Path pem = var.resolve("test.pem");
        Process tls = new ProcessBuilder("bash", "-c", "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                + "-nodes -days 1 -subj /CN=localhost -keyout " + var.resolve("test.key") + " -out " + var.resolve("test.crt")
                + " && cat " + var.resolve("test.crt") + " " + var.resolve("test.key") + " > " + pem)
                .redirectErrorStream(true).start();
        assertThat(tls.waitFor()).as(new String(tls.getInputStream().readAllBytes())).isZero();
        String config = java.nio.file.Files.readString(Launcher.ROOT.resolve("ops/haproxy/haproxy.cfg.template"))
                .replace("@@VAR@@", var.toString()).replace("@@OPS@@", Launcher.ROOT.resolve("ops").toString())
                .replace("@@MAXCONN@@", "32").replace("@@TLS_PEM@@", pem.toString())
                .replaceAll("(?m)^@@SERVERS@@$", "    server server-1 127.0.0.1:8081\n    server server-2 127.0.0.1:8082");
        java.nio.file.Path file = java.nio.file.Files.createTempFile("haproxy-", ".cfg");
        java.nio.file.Files.writeString(file, config);
        Process p = new ProcessBuilder("haproxy", "-c", "-f", file.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
        assertThat(config).contains("retry-on conn-failure empty-response response-timeout", "option redispatch",
                "option httpchk GET /health/ready", "observe layer4", "slowstart", "timeout queue",
                "prometheus-exporter", "stats socket", "ssl crt", "X-Request-Id");
    }
}
