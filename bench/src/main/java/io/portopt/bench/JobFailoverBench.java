package io.portopt.bench;

import io.portopt.client.Job;
import io.portopt.client.PortoptClient;
import io.portopt.solver.kramer.KramerReader;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./portopt bench job-failover}: a job of {@code --time-limit-s} on a Kramer instance, its
 * server killed ({@code ./portopt kill}) after {@code --kill-at-s} of solving; prints when it
 * finished elsewhere, against the budget + lease, and its objective against the last checkpoint
 * seen before the kill. Needs the running cluster.
 */
public final class JobFailoverBench {
    private JobFailoverBench() {
    }

    public static void main(String[] args) throws Exception {
        URI url = URI.create("http://127.0.0.1:8080");
        Path instance = Path.of("../shared/data/berth-allocation/kramer2019/f200x15-01.txt");
        long limitS = 60;
        long killAtS = 20;
        double leaseS = 5;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = URI.create(args[i + 1]);
                case "--instance" -> instance = Path.of(args[i + 1]);
                case "--time-limit-s" -> limitS = Long.parseLong(args[i + 1]);
                case "--kill-at-s" -> killAtS = Long.parseLong(args[i + 1]);
                case "--lease-s" -> leaseS = Double.parseDouble(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --url --instance --time-limit-s --kill-at-s --lease-s");
            }
        }
        String root = System.getProperty("portopt.root", ".");
        PortoptClient client = PortoptClient.builder(url).apiKey(System.getenv("PORTOPT_API_KEY")).build();
        Map<String, Object> request = new LinkedHashMap<>(KramerRequest.toRequest(KramerReader.read(instance), limitS * 1000, 1L));
        Job job = client.submitJob(request);
        long submitted = System.nanoTime();
        while ((job = client.getJob(job.id())).solvedMs() < killAtS * 1000 || job.planId() == null) {
            Thread.sleep(100);
        }
        double checkpoint = job.bestObjective();
        String owner = run("psql", "-h", "127.0.0.1", "-p", "5433", "-U", "postgres", "-d", "portopt", "-At", "-c",
                "SELECT lease_owner FROM job WHERE id = '" + job.id() + "'");
        String server = owner.substring(0, owner.indexOf('/'));
        double killedAt = (System.nanoTime() - submitted) / 1e9;
        System.err.printf(Locale.ROOT, "killing %s at %.1f s (solved %d ms, best %.0f)%n", server, killedAt, job.solvedMs(), checkpoint);
        run(root + "/portopt", "kill", server);
        Job done = client.awaitJob(job.id(), Duration.ofMillis(200), Duration.ofSeconds(limitS * 3));
        double finishedAt = (System.nanoTime() - submitted) / 1e9;
        System.err.println("restarting " + server);
        run(root + "/portopt", "start", server);
        System.out.printf(Locale.ROOT, "{\"state\": \"%s\", \"attempts\": %d, \"timeLimitS\": %d, \"killedAtS\": %.1f, \"finishedAtS\": %.1f,"
                        + " \"limitPlusLeasePlus5S\": %.1f, \"checkpointObjective\": %.1f, \"finalObjective\": %.1f, \"solvedMs\": %d}%n",
                done.state(), done.attempts(), limitS, killedAt, finishedAt, limitS + leaseS + 5, checkpoint,
                done.bestObjective(), done.solvedMs());
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
