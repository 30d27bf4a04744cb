package io.portopt.e2e;

import io.portopt.client.PortoptClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HA cluster ({@code ./portopt up --ha}, and with {@code --hosts} in the hosts execution, where a
 * host is a network namespace and a crash kills every process in it): PostgreSQL under Patroni over three etcd members with
 * a synchronous standby, Redis with a replica and three Sentinels. A whole host is crashed for good
 * under steady load through a plain client (no retries, 10 s timeout): not one request may fail,
 * writes must flow again by themselves (Patroni or Sentinel promotes, the servers follow), and no
 * plan handed out may be missing from the new primary. The crashed host then comes back and rejoins
 * as a standby. The time until writes flow again is printed; its figure is {@code bench failover}'s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverIT {
    private static final URI LB = URI.create("http://127.0.0.1:8080");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Whichever node takes writes, as the servers find it (the JDBC driver's multi-host URL). */
    private static final String PRIMARY = "jdbc:postgresql://127.0.0.1:5433,127.0.0.1:5434/portopt"
            + "?targetServerType=primary&hostRecheckSeconds=1&connectTimeout=1&socketTimeout=5";

    @BeforeAll
    static void up() throws Exception {
        Launcher.run(180, "down");
        // In the suite's mode: on one machine, or (the hosts execution) with every host a namespace.
        List<String> args = new ArrayList<>(List.of("up", "--ha", "--servers", "2"));
        args.addAll(Launcher.upFlags());
        Launcher.ok(600, args.toArray(String[]::new));
    }

    @AfterAll
    static void down() throws Exception {
        Launcher.run(180, "down");
    }

    @Test
    @Order(1)
    void patroniRunsALeaderWithASynchronousStandbyAndSentinelWatchesAReplicatedRedis() throws Exception {
        Map<String, String> roles = patroniRoles();
        assertThat(roles).as("Patroni members and roles").containsOnlyKeys("postgres-primary", "postgres-replica")
                .containsValues("leader", "sync_standby");
        // Either node may be master: the Sentinels remember an earlier run's failover across a restart.
        int master = sentinelMasterPort();
        assertThat(master).isIn(6380, 6381);
        assertThat(redisRole(master)).isEqualTo("master");
        assertThat(redisRole(master == 6380 ? 6381 : 6380)).isEqualTo("slave");
        // Prometheus scrapes both Patroni agents and the three etcd members, and sees one leader.
        // Only samples of the last 15 s count: a restarted Prometheus still shows the previous
        // cluster's series (other addresses) for its 5-minute lookback.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String up;
        String leaders;
        while (true) {
            up = promValue("count((up{job=~\"patroni|etcd\"} == 1) and (time() - timestamp(up{job=~\"patroni|etcd\"}) < 15))");
            leaders = promValue("sum(patroni_primary{job=\"patroni\"} and (time() - timestamp(patroni_primary{job=\"patroni\"}) < 15))");
            if ((up.equals("5") && leaders.equals("1")) || System.nanoTime() >= deadline) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(up).as("Patroni agents and etcd members up in Prometheus").isEqualTo("5");
        assertThat(leaders).as("Patroni leaders seen by Prometheus").isEqualTo("1");
        String status = Launcher.stdout(60, "status");
        for (String c : List.of("etcd-1", "etcd-2", "etcd-3", "patroni-primary", "patroni-replica", "sentinel-1",
                "sentinel-2", "sentinel-3", "redis-replica")) {
            assertThat(status).as("./portopt status").containsPattern("(?m)^" + c + " +\\d+ +\\d+ +healthy");
        }
    }

    @Test
    @Order(2)
    void aCrashOfThePostgresLeadersHostCostsNoRequestAndLosesNoAcknowledgedPlan() throws Exception {
        String leader = leader();
        String standby = otherNode(leader);
        List<String> ids = new ArrayList<>();
        long[] writesAfterMs = {-1};
        try {
            Map<String, Integer> outcomes = underLoad(11_000_000, () -> {
                Launcher.must("crash", leader);
                writesAfterMs[0] = millisUntil(FailoverIT::aWriteCommits, Duration.ofSeconds(90));
            }, ids);
            System.out.println("outcomes with " + leader + "'s host crashed: " + outcomes
                    + "; writes flowed again after " + writesAfterMs[0] + " ms");
            assertThat(outcomes.keySet()).containsExactly("200");
            assertThat(writesAfterMs[0]).as("writes flow again by themselves").isNotNegative();
            assertThat(patroniRoles().get(standby)).as("the synchronous standby was promoted").isEqualTo("leader");
            assertThat(missingFromPrimary(ids)).as("acknowledged plans missing from the new primary").isEmpty();
            assertReadable(ids);
        } finally {
            // The crashed host comes back: its node rejoins as the new leader's standby.
            restoreDatabaseHost(leader);
        }
        assertThat(patroniRoles().get(leader)).as("the crashed node, back").isEqualTo("sync_standby");
    }

    /** Starts a crashed database host's etcd member and node again; waits until it is the synchronous standby. */
    private static void restoreDatabaseHost(String node) throws Exception {
        Launcher.must("start", etcdBeside(node));
        Launcher.must("start", node);
        awaitSyncStandby(node);
    }

    private static void awaitSyncStandby(String node) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!"sync_standby".equals(patroniRoles().get(node)) && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
    }

    @Test
    @Order(3)
    void aCrashOfTheRedisMastersHostCostsNoRequestAndTheServersFollowTheNewMaster() throws Exception {
        int masterPort = sentinelMasterPort();
        String master = masterPort == 6380 ? "redis" : "redis-replica";
        int otherPort = masterPort == 6380 ? 6381 : 6380;
        List<String> ids = new ArrayList<>();
        Map<String, Integer> outcomes;
        try {
            outcomes = underLoad(12_000_000, () -> {
                Launcher.must("crash", master);
                millisUntil(() -> sentinelMasterPort() == otherPort, Duration.ofSeconds(60));
                Launcher.pause(10_000);
            }, ids);
        } catch (RuntimeException | Error e) {
            restoreRedisHost(master);
            throw e;
        }
        System.out.println("outcomes with " + master + "'s host crashed: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        assertThat(sentinelMasterPort()).as("Sentinel promoted the replica").isEqualTo(otherPort);
        assertThat(redisRole(otherPort)).isEqualTo("master");
        // The servers write to the new master: a plan made now is cached there.
        String key = "portopt:plan:dev/" + PortoptClient.builder(LB).apiKey(Launcher.devApiKey()).build()
                .createPlan(ClusterIT.smallRequest(System.nanoTime(), 50)).fingerprint();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!redisHas(otherPort, key) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        try {
            assertThat(redisHas(otherPort, key)).as("a new plan is cached in the promoted master").isTrue();
            assertReadable(ids);
        } finally {
            restoreRedisHost(master);
        }
        // Back again, the crashed node follows the new master instead of coming up as an empty one.
        assertThat(redisRole(masterPort)).isEqualTo("slave");
    }

    private static void restoreRedisHost(String node) {
        Launcher.must("start", node);
        Launcher.must("start", node.equals("redis") ? "sentinel-1" : "sentinel-2");
    }

    /**
     * A gray failure of the database: the leader's PostgreSQL frozen (SIGSTOP), its Patroni agent
     * alive but stalled on it. Patroni promotes the standby once the leader key expires; when the old
     * leader thaws it must step down and follow, and nothing the new leader committed may be lost.
     */
    @Test
    @Order(4)
    void aFrozenLeaderIsReplacedAndStepsDownWhenItThawsLosingNoPlan() throws Exception {
        String leader = leader();
        List<String> ids = new ArrayList<>();
        Map<String, Integer> outcomes = underLoad(14_000_000, () -> {
            Launcher.must("freeze", leader);
            Launcher.pause(20_000);
            Launcher.must("thaw", leader);
            Launcher.pause(5_000);
        }, ids);
        System.out.println("outcomes with " + leader + " frozen 20 s: " + outcomes);
        assertThat(outcomes.keySet()).containsExactly("200");
        assertThat(patroniRoles().get(otherNode(leader))).as("the standby, promoted during the freeze").isEqualTo("leader");
        awaitSyncStandby(leader);
        assertThat(patroniRoles().get(leader)).as("the thawed node, following").isEqualTo("sync_standby");
        assertThat(missingFromPrimary(ids)).as("acknowledged plans missing after the thaw").isEmpty();
        assertReadable(ids);
    }

    @Test
    @Order(5)
    void aCrashOfTheStandbysHostLeavesThePrimaryWriting() throws Exception {
        String leader = leader();
        String standby = otherNode(leader);
        List<String> ids = new ArrayList<>();
        try {
            Map<String, Integer> outcomes = underLoad(13_000_000, () -> {
                Launcher.must("crash", standby);
                Launcher.pause(15_000);
            }, ids);
            System.out.println("outcomes with the synchronous standby's host crashed: " + outcomes);
            assertThat(outcomes.keySet()).containsExactly("200");
            assertThat(aWriteCommits()).as("the primary commits without its standby").isTrue();
            assertThat(missingFromPrimary(ids)).isEmpty();
        } finally {
            restoreDatabaseHost(standby);
        }
    }

    @Test
    @Order(6)
    void downLeavesNoFailoverEngineRunningOrListening() throws Exception {
        Launcher.ok(180, "down");
        for (int port : new int[] {12379, 12380, 12389, 12390, 12399, 12400, 8008, 8009, 5433, 5434, 6380, 6381,
                26380, 26381, 26382}) {
            try (var socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
                throw new AssertionError("port " + port + " still listening after down");
            } catch (java.io.IOException expected) {
                // refused: nothing listens
            }
        }
        // A process that got its signal may take a moment to be reaped.
        String left = engineProcesses();
        for (int i = 0; i < 50 && !left.isEmpty(); i++) {
            Thread.sleep(200);
            left = engineProcesses();
        }
        assertThat(left).as("engine processes left").isEmpty();
    }

    private static String engineProcesses() throws Exception {
        Process p = new ProcessBuilder("pgrep", "-a", "-f", "patroni|etcd --name|redis-server.*sentinel").start();
        return new String(p.getInputStream().readAllBytes()).strip();
    }

    // --- helpers ---------------------------------------------------------------------------------

    /** 10 req/s of mixed distinct and repeated small problems, no retries, 10 s timeout, around {@code fault}. */
    private static Map<String, Integer> underLoad(long seedBase, Runnable fault, List<String> idsOut) throws Exception {
        return ClusterIT.underGrayFault(seedBase, 45, Duration.ofSeconds(90), fault, idsOut);
    }

    private static long millisUntil(java.util.function.BooleanSupplier condition, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            Launcher.pause(100);
        }
        return -1;
    }

    private static boolean aWriteCommits() {
        try (Connection c = DriverManager.getConnection(PRIMARY, "postgres", "");
             var st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS failover_probe (at timestamptz DEFAULT now())");
            st.execute("INSERT INTO failover_probe DEFAULT VALUES");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static List<String> missingFromPrimary(List<String> ids) throws Exception {
        return ClusterIT.awaitMissing(PRIMARY, ids);
    }

    private static void assertReadable(List<String> ids) throws Exception {
        PortoptClient lb = PortoptClient.builder(LB).apiKey(Launcher.devApiKey()).build();
        for (String id : ids) {
            assertThat(lb.getPlan(id).id()).isEqualTo(id);
        }
    }

    /** Member name to role ({@code leader}, {@code sync_standby}, {@code replica}), from any Patroni agent. */
    private static Map<String, String> patroniRoles() throws Exception {
        for (int port : new int[] {8008, 8009}) {
            try {
                String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/cluster"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
                var members = tools.jackson.databind.json.JsonMapper.builder().build().readTree(body).get("members");
                Map<String, String> roles = new java.util.TreeMap<>();
                members.forEach(m -> roles.put(m.get("name").asText(), m.get("role").asText()));
                return roles;
            } catch (java.io.IOException | RuntimeException e) {
                // that agent is down or answered nothing readable: ask the other
            }
        }
        return Map.of();
    }

    /** The value of an instant PromQL query with one result, or "" when it has none. */
    private static String promValue(String query) throws Exception {
        URI uri = URI.create("http://127.0.0.1:9090/api/v1/query?query="
                + java.net.URLEncoder.encode(query, java.nio.charset.StandardCharsets.UTF_8));
        String body = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        var result = tools.jackson.databind.json.JsonMapper.builder().build().readTree(body).path("data").path("result");
        return result.isEmpty() ? "" : result.get(0).path("value").get(1).asText();
    }

    private static String otherNode(String node) {
        return node.equals("postgres-primary") ? "postgres-replica" : "postgres-primary";
    }

    /** The etcd member on a database node's host (db-1 or db-2), crashed with it. */
    private static String etcdBeside(String node) {
        return node.equals("postgres-primary") ? "etcd-1" : "etcd-2";
    }

    private static String leader() throws Exception {
        return patroniRoles().entrySet().stream().filter(e -> e.getValue().equals("leader"))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    private static int sentinelMasterPort() {
        for (int port : new int[] {26380, 26381, 26382}) {
            String out = redisCli(port, "SENTINEL", "get-master-addr-by-name", "portopt");
            String[] lines = out.strip().split("\n");
            if (lines.length == 2) {
                return Integer.parseInt(lines[1].strip());
            }
        }
        return -1;
    }

    private static String redisRole(int port) {
        return redisCli(port, "ROLE").strip().split("\n")[0].strip();
    }

    private static boolean redisHas(int port, String key) {
        return redisCli(port, "EXISTS", key).strip().equals("1");
    }

    private static String redisCli(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out;
        } catch (java.io.IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

}
