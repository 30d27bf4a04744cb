package io.portopt.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The link proxy the launcher puts between each server and its dependencies
 * (ops/launcher/netlink.py), against a real echo server: it forwards, it delays both directions, a
 * cut black-holes without closing, and a heal closes what lost bytes.
 */
class NetLinkTest {
    private ServerSocket echo;
    private Process link;
    private Path state;
    private int port;

    @BeforeEach
    void start() throws Exception {
        echo = new ServerSocket(0);
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException ignored) {
                            // the client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        state = Files.createTempDirectory("netlink-").resolve("net.json");
        link = new ProcessBuilder("python3", Launcher.ROOT.resolve("ops/launcher/netlink.py").toString(),
                "--name", "server-1", "--state", state.toString(), port + ":" + echo.getLocalPort())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException e) {
                assertThat(System.nanoTime()).as("netlink listening").isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        link.destroy();
        link.waitFor();
        echo.close();
    }

    private void faults(String json) throws Exception {
        Path tmp = state.resolveSibling("net.json.tmp");
        Files.writeString(tmp, json);
        Files.move(tmp, state, StandardCopyOption.ATOMIC_MOVE);
        Thread.sleep(400); // the link polls every 100 ms
    }

    private static long roundTripMillis(Socket s, String text) throws IOException {
        long t0 = System.nanoTime();
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        byte[] back = s.getInputStream().readNBytes(text.length());
        assertThat(new String(back, StandardCharsets.UTF_8)).isEqualTo(text);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void forwardsBothWaysAndDelaysEachWayWhenTold() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            roundTripMillis(s, "ping");
            faults("{\"*\": {\"delayMs\": 200}}");
            assertThat(roundTripMillis(s, "slow")).as("round trip with 200 ms each way").isGreaterThanOrEqualTo(400);
            faults("{\"server-1\": {\"delayMs\": 0}, \"*\": {\"delayMs\": 200}}");
            assertThat(roundTripMillis(s, "fast")).as("this server's own entry wins").isLessThan(400);
        }
    }

    @Test
    void aCutBlackHolesOpenAndNewConnectionsAndAHealClosesThoseThatLostBytes() throws Exception {
        try (Socket before = new Socket("127.0.0.1", port)) {
            before.setSoTimeout(1000);
            roundTripMillis(before, "ping");
            faults("{\"server-1\": {\"cut\": true}}");
            before.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> before.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            try (Socket during = new Socket("127.0.0.1", port)) {
                during.setSoTimeout(1000);
                during.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
                assertThatThrownBy(() -> during.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

                faults("{}");
                before.setSoTimeout(3000);
                during.setSoTimeout(3000);
                assertThat(readOrReset(before.getInputStream())).as("a connection that lost bytes is closed").isEqualTo(-1);
                assertThat(readOrReset(during.getInputStream())).as("one opened during the cut is closed").isEqualTo(-1);
            }
        }
        try (Socket after = new Socket("127.0.0.1", port)) {
            after.setSoTimeout(5000);
            roundTripMillis(after, "back");
        }
    }

    private static int readOrReset(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (java.net.SocketException reset) {
            return -1;
        }
    }
}
