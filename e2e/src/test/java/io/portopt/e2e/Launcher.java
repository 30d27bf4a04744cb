package io.portopt.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code ./portopt} the way an operator would, with a timeout, echoing its output. */
final class Launcher {
    static final Path ROOT = Path.of(System.getProperty("portopt.root", "..")).toAbsolutePath().normalize();

    private Launcher() {
    }

    record Result(int exitCode, String output) {
    }

    static Result run(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("portopt").toString());
        command.addAll(List.of(args));
        Path log = Files.createTempFile("portopt-", ".log");
        Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String output = Files.readString(log);
        Files.deleteIfExists(log);
        System.out.printf("$ ./portopt %s%n%s%n", String.join(" ", args), output);
        return new Result(done ? p.exitValue() : -1, output);
    }

    /**
     * The mode the cluster suites run in: {@code -Dportopt.up.flags=--hosts} runs them on the
     * cluster across hosts (a second failsafe execution does), nothing on the default cluster.
     */
    static List<String> upFlags() {
        String flags = System.getProperty("portopt.up.flags", "").trim();
        return flags.isEmpty() ? List.of() : List.of(flags.split("\\s+"));
    }

    /** {@code ./portopt up --servers N} in the suite's mode. */
    static String up(int servers) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("up", "--servers", String.valueOf(servers)));
        args.addAll(upFlags());
        return ok(600, args.toArray(String[]::new));
    }

    static String ok(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        Result r = run(timeoutSeconds, args);
        if (r.exitCode() != 0) {
            throw new AssertionError("./portopt " + String.join(" ", args) + " failed (" + r.exitCode() + "):\n" + r.output());
        }
        return r.output();
    }

    /** Runs a command that must succeed and returns its stdout alone (stderr is echoed). */
    static String stdout(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("portopt").toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("portopt-", ".out");
        Path err = Files.createTempFile("portopt-", ".err");
        Process p = new ProcessBuilder(command).directory(ROOT.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        System.out.printf("$ ./portopt %s%n%s%n", String.join(" ", args), stderr);
        if (!done || p.exitValue() != 0) {
            throw new AssertionError("./portopt " + String.join(" ", args) + " failed:\n" + stderr);
        }
        return stdout;
    }

    /** {@code ./portopt ARGS} that must succeed, for use inside a fault's Runnable (unchecked). */
    static void must(String... args) {
        try {
            ok(240, args);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sleeps, keeping the interrupt: faults are timed by sleeping between launcher calls. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The development tenant's key that {@code ./portopt up} writes to var/dev-api-key. */
    static String devApiKey() {
        try {
            return java.nio.file.Files.readString(ROOT.resolve("var/dev-api-key")).trim();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("no var/dev-api-key: is the cluster up?", e);
        }
    }
}
