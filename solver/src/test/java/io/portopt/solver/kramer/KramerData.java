package io.portopt.solver.kramer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Locates the published Kramer (2019) instances in the shared data folder next to the repository. */
public final class KramerData {
    private static final String RELATIVE = "shared/data/berth-allocation/kramer2019";

    private KramerData() {
    }

    /** The instance folder; fails with the places it looked when it is not there. */
    public static Path dir() {
        List<Path> candidates = List.of(
                Path.of("..", "..").resolve(RELATIVE), // from the module directory (the test working dir)
                Path.of("..").resolve(RELATIVE));      // from the repository root
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate.resolve("f200x15-01.txt"))) {
                return candidate.normalize();
            }
        }
        throw new AssertionError("Kramer instances not found; looked for f200x15-01.txt in "
                + candidates.stream().map(c -> c.toAbsolutePath().normalize().toString()).toList()
                + " (working directory " + Path.of("").toAbsolutePath() + ")");
    }

    public static Path instance(String name) {
        return dir().resolve(name);
    }
}
