package io.portopt.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The Alertmanager webhook receiver of the local cluster: appends every notification it gets, one
 * JSON line each, to a log file, so an alert can be seen (and tested for) without any outside service.
 */
public final class AlertSink {
    private AlertSink() {
    }

    public static void main(String[] args) throws IOException {
        int port = 9095;
        String bind = "127.0.0.1";
        Path log = Path.of("var/log/alerts.jsonl");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--bind" -> bind = args[i + 1];
                case "--log" -> log = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        Path file = log;
        HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 64);
        server.createContext("/health", exchange -> respond(exchange, 200, "{\"status\":\"UP\"}"));
        server.createContext("/alerts", exchange -> {
            if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "{}");
                return;
            }
            byte[] body = exchange.getRequestBody().readNBytes(1 << 20);
            String line = "{\"receivedAt\":\"" + Instant.now() + "\",\"notification\":"
                    + new String(body, StandardCharsets.UTF_8).replace('\n', ' ') + "}\n";
            synchronized (AlertSink.class) {
                Files.writeString(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            System.out.print(line);
            System.out.flush();
            respond(exchange, 200, "{}");
        });
        server.start();
        System.out.println("alert sink listening on " + bind + ":" + port + ", logging to " + file);
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
