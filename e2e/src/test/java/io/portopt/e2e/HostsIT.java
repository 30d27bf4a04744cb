package io.portopt.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster across hosts ({@code ./portopt up --hosts}): each component in a network namespace
 * of its own, and faults that hit one host's link in the kernel. Runs in the failsafe execution
 * that also runs ClusterIT and ConsoleIT in this mode.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostsIT {
    private static final Pattern STATUS = Pattern.compile(
            "^(\\S+)\\s+(\\d+)\\s+\\S+\\s+healthy.*\\[host (po-\\S+) (\\d+\\.\\d+\\.\\d+\\.\\d+)]$");
    private static final String PRIMARY = "jdbc:postgresql://127.0.0.1:5433/portopt";

    @BeforeAll
    static void up() throws Exception {
        Launcher.run(180, "down");
        Launcher.ok(600, "up", "--servers", "2", "--hosts");
    }

    @AfterAll
    static void down() throws Exception {
        Launcher.run(60, "net", "heal");
        Launcher.run(180, "down");
    }

    record Placed(long pid, String namespace, String address) {
    }

    private static Map<String, Placed> placement() throws Exception {
        Map<String, Placed> placed = new HashMap<>();
        for (String line : Launcher.stdout(60, "status").split("\n")) {
            Matcher m = STATUS.matcher(line.trim());
            if (m.matches()) {
                placed.put(m.group(1), new Placed(Long.parseLong(m.group(2)), m.group(3), m.group(4)));
            }
        }
        return placed;
    }

    private static Object netnsInode(Path path) throws IOException {
        return Files.readAttributes(path, "unix:ino").get("ino");
    }

    private static int inHost(String namespace, String script) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", namespace, "bash", "-c", script)
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    @Test
    @Order(1)
    void everyComponentRunsOnAHostOfItsOwnThatReachesNothingOutside() throws Exception {
        Map<String, Placed> placed = placement();
        assertThat(placed.keySet()).contains("haproxy", "server-1", "server-2", "redis", "postgres-primary",
                "postgres-replica", "prometheus", "alertmanager", "gateway");
        Object machine = netnsInode(Path.of("/proc/self/ns/net"));
        Set<String> addresses = new HashSet<>();
        for (var e : placed.entrySet()) {
            Placed p = e.getValue();
            assertThat(addresses.add(p.address())).as("%s has an address of its own", e.getKey()).isTrue();
            if (e.getKey().equals("gateway")) {
                // The gateway runs on the machine (it owns 127.0.0.1's ports); only its connections
                // leave from a host of its own.
                assertThat(netnsInode(Path.of("/proc/" + p.pid() + "/ns/net"))).isEqualTo(machine);
                continue;
            }
            Object ns = netnsInode(Path.of("/proc/" + p.pid() + "/ns/net"));
            assertThat(ns).as("%s runs in namespace %s", e.getKey(), p.namespace())
                    .isEqualTo(netnsInode(Path.of("/run/netns/" + p.namespace())))
                    .isNotEqualTo(machine);
        }

        // From a server's host: the other hosts answer, the machine's own services and the outside do not.
        assertThat(inHost("po-server-1", "exec 3<>/dev/tcp/" + placed.get("postgres-primary").address() + "/5433"))
                .as("server-1's host reaches the primary's host").isZero();
        assertThat(inHost("po-server-1", "exec 3<>/dev/tcp/127.0.0.1/5432"))
                .as("the machine's own PostgreSQL is not on the host's loopback").isNotZero();
        for (String outside : machineAddresses()) {
            assertThat(inHost("po-server-1", "timeout 3 bash -c 'exec 3<>/dev/tcp/" + outside + "/22'"))
                    .as("the machine's address %s is unreachable from a host", outside).isNotZero();
        }
        assertThat(inHost("po-server-1", "ip route | grep -q default")).as("no default route on a host").isNotZero();
    }

    private static List<String> machineAddresses() throws IOException {
        List<String> out = new ArrayList<>();
        for (NetworkInterface nic : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isLoopback() && nic.isUp()) {
                nic.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(a -> out.add(a.getHostAddress()));
            }
        }
        return out;
    }

    @Test
    @Order(2)
    void aPartitionedServerCostsNoFailedRequestAndLosesNoPlan() throws Exception {
        List<String> ids = new ArrayList<>();
        Map<String, Integer> outcomes = ClusterIT.underGrayFault(7_000_000, 40, Duration.ofSeconds(60), partitionedFor("server-1", 15_000), ids);
        System.out.println("outcomes with server-1's host partitioned 15 s: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        ClusterIT.awaitStatus("server-1", "UP", Duration.ofSeconds(30));
        assertThat(ClusterIT.awaitMissing(PRIMARY, ids)).as("plans missing from the primary").isEmpty();
        ClusterIT.assertReadable(ids);

        // Partitioned for good: from before the load starts to after it ends.
        List<String> more = new ArrayList<>();
        Launcher.must("net", "partition", "server-2");
        try {
            outcomes = ClusterIT.underGrayFault(7_500_000, 30, Duration.ofSeconds(60), () -> Launcher.pause(15_000), more);
        } finally {
            Launcher.must("net", "heal", "server-2");
        }
        System.out.println("outcomes with server-2's host partitioned throughout: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        ClusterIT.awaitStatus("server-2", "UP", Duration.ofSeconds(30));
        ClusterIT.assertReadable(more);
    }

    @Test
    @Order(3)
    void partitionedRedisAndPrimaryHostsCostNoFailedRequestAndLoseNoPlan() throws Exception {
        List<String> ids = new ArrayList<>();
        Map<String, Integer> outcomes = ClusterIT.underGrayFault(8_000_000, 40, Duration.ofSeconds(60), partitionedFor("redis", 12_000), ids);
        System.out.println("outcomes with Redis's host partitioned 12 s: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");

        outcomes = ClusterIT.underGrayFault(8_500_000, 40, Duration.ofSeconds(90), partitionedFor("postgres-primary", 15_000), ids);
        System.out.println("outcomes with the primary's host partitioned 15 s: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        assertThat(ClusterIT.awaitMissing(PRIMARY, ids)).as("plans missing from the primary").isEmpty();
        ClusterIT.assertReadable(ids);
    }

    @Test
    @Order(4)
    void aServerHostCrashedUnderLoadCostsNoFailedRequestAndComesBack() throws Exception {
        long before = placement().get("server-1").pid();
        List<String> ids = new ArrayList<>();
        Map<String, Integer> outcomes = ClusterIT.underGrayFault(9_000_000, 30, Duration.ofSeconds(60), () -> {
            Launcher.must("crash", "server-1");
            Launcher.pause(8000);
        }, ids);
        System.out.println("outcomes with server-1's host crashed: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        assertThat(ClusterIT.running(before)).as("the crashed server's JVM is gone").isFalse();
        Process pids = new ProcessBuilder("ip", "netns", "pids", "po-server-1").start();
        assertThat(new String(pids.getInputStream().readAllBytes()).isBlank()).as("nothing left on the crashed host").isTrue();
        Launcher.must("start", "server-1");
        ClusterIT.awaitStatus("server-1", "UP", Duration.ofSeconds(30));
        ClusterIT.assertReadable(ids);
    }

    /** A fault: HOST's link down for {@code millis}, then up again and 3 s to settle. */
    private static Runnable partitionedFor(String host, long millis) {
        return () -> {
            Launcher.must("net", "partition", host);
            Launcher.pause(millis);
            Launcher.must("net", "heal", host);
            Launcher.pause(3000);
        };
    }

    @Test
    @Order(9)
    void downRemovesEveryHostAndTheBridge() throws Exception {
        List<Long> pids = placement().values().stream().map(Placed::pid).toList();
        Launcher.ok(180, "down");
        for (long pid : pids) {
            assertThat(ClusterIT.running(pid)).as("pid %d still running", pid).isFalse();
        }
        for (int port : ClusterIT.CLUSTER_PORTS) {
            assertThat(ClusterIT.listening(port)).as("something listens on %d", port).isFalse();
        }
        try (var names = Files.list(Path.of("/run/netns"))) {
            assertThat(names.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("po-")).toList())
                    .as("namespaces left").isEmpty();
        }
        assertThat(Files.exists(Path.of("/sys/class/net/po-br0"))).as("the bridge is left").isFalse();
    }

}
