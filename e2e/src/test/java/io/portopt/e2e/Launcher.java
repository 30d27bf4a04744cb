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

    static String ok(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        Result r = run(timeoutSeconds, args);
        if (r.exitCode() != 0) {
            throw new AssertionError("./portopt " + String.join(" ", args) + " failed (" + r.exitCode() + "):\n" + r.output());
        }
        return r.output();
    }
}
