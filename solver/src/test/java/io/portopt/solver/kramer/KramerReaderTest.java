package io.portopt.solver.kramer;

import io.portopt.solver.BerthPlanner;
import io.portopt.solver.SolverOptions;
import io.portopt.solver.check.FeasibilityChecker;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Plan;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Vessel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KramerReaderTest {
    private static final String INLINE = """
            3
            2
            0 5 7
            0 2
            10 99999
            4 6
            99999 99999
            100 90
            50 60 70 1 2 3
            """;

    private static long[] numbers(Path file) throws IOException {
        return Stream.of(Files.readString(file).trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
    }

    @Test
    void readsTheVesselAndBerthCountsOfAPublishedInstance() throws IOException {
        Problem p = KramerReader.read(KramerData.instance("f200x15-01.txt"));
        assertThat(p.vessels()).hasSize(200);
        assertThat(p.berths()).hasSize(15);
        assertThat(p.vessels().getFirst().id()).isEqualTo("V1");
        assertThat(p.vessels().getLast().id()).isEqualTo("V200");
        assertThat(p.berths().getLast().id()).isEqualTo("B15");
        assertThat(p.tide()).isNull();
    }

    @Test
    void readsEveryFieldOfAPublishedInstanceInFileOrder() throws IOException {
        Path file = KramerData.instance("f200x15-01.txt");
        long[] x = numbers(file);
        int n = (int) x[0];
        int m = (int) x[1];
        Problem p = KramerReader.read(file);
        int matrix = 2 + n + m;
        int closes = matrix + n * m;
        int due = closes + m;
        int weights = due + n;
        assertThat(x).hasSize(weights + n);
        for (int b = 0; b < m; b++) {
            Berth berth = p.berths().get(b);
            assertThat(berth.opensAt()).isEqualTo(x[2 + n + b]);
            assertThat(berth.closesAt()).isEqualTo(x[closes + b]);
            assertThat(berth.closures()).isEmpty();
        }
        for (int v = 0; v < n; v++) {
            Vessel vessel = p.vessels().get(v);
            assertThat(vessel.arrival()).isEqualTo(x[2 + v]);
            assertThat(vessel.latestDeparture()).isEqualTo(x[due + v]);
            assertThat(vessel.weight()).isEqualTo((double) x[weights + v]);
        }
        assertThat(p.vessels().get(0).arrival()).isEqualTo(10);
        assertThat(p.vessels().get(1).arrival()).isEqualTo(104);
    }

    @Test
    void every99999InTheHandlingMatrixBecomesADisallowedBerth() throws IOException {
        Path file = KramerData.instance("f200x15-01.txt");
        long[] x = numbers(file);
        int n = (int) x[0];
        int m = (int) x[1];
        Problem p = KramerReader.read(file);
        int disallowed = 0;
        for (int v = 0; v < n; v++) {
            Vessel vessel = p.vessels().get(v);
            for (int b = 0; b < m; b++) {
                long h = x[2 + n + m + v * m + b];
                String berth = "B" + (b + 1);
                if (h == KramerReader.NOT_ALLOWED) {
                    disallowed++;
                    assertThat(vessel.handlingAt(berth)).as("%s at %s", vessel.id(), berth).isEqualTo(-1);
                    assertThat(vessel.handlingByBerth()).doesNotContainKey(berth);
                } else {
                    assertThat(vessel.handlingAt(berth)).as("%s at %s", vessel.id(), berth).isEqualTo(h);
                }
            }
        }
        assertThat(disallowed).isEqualTo(1373);
    }

    @Test
    void readsEveryPublishedInstanceWithTheCountsItsNameGives() throws IOException {
        try (Stream<Path> files = Files.list(KramerData.dir())) {
            List<Path> instances = files.filter(f -> f.getFileName().toString().matches("f\\d+x\\d+-\\d+\\.txt")).sorted().toList();
            assertThat(instances).hasSize(20);
            for (Path f : instances) {
                String[] counts = f.getFileName().toString().substring(1).split("[x-]");
                Problem p = KramerReader.read(f);
                assertThat(p.vessels()).as(f.toString()).hasSize(Integer.parseInt(counts[0]));
                assertThat(p.berths()).as(f.toString()).hasSize(Integer.parseInt(counts[1]));
                assertThat(p.vessels()).as(f.toString()).allSatisfy(v -> assertThat(v.handlingByBerth()).isNotEmpty());
            }
        }
    }

    @Test
    void publishedInstanceGetsAFeasiblePlanPlacingEveryVessel() throws IOException {
        Problem p = KramerReader.read(KramerData.instance("f200x15-01.txt"));
        Plan plan = BerthPlanner.solve(p, SolverOptions.stepLimited(2000, 1)).plan();
        assertThat(FeasibilityChecker.violations(p, plan)).isEmpty();
        assertThat(plan.unassigned()).isEmpty();
        assertThat(plan.objective()).isGreaterThanOrEqualTo(p.vessels().stream()
                .mapToLong(v -> v.handlingByBerth().values().stream().mapToLong(Long::longValue).min().orElseThrow()).sum());
    }

    @Test
    void parsesASmallInlineInstance() {
        Problem p = KramerReader.parse(INLINE, "inline");
        assertThat(p.berths()).containsExactly(
                new Berth("B1", null, null, 0, 100, List.of()),
                new Berth("B2", null, null, 2, 90, List.of()));
        assertThat(p.vessels()).containsExactly(
                new Vessel("V1", 0, null, null, 1, null, Map.of("B1", 10L), 50),
                new Vessel("V2", 5, null, null, 2, null, Map.of("B1", 4L, "B2", 6L), 60),
                new Vessel("V3", 7, null, null, 3, null, Map.of(), 70));
    }

    @Test
    void weightsAreOptionalAndDefaultToOne() {
        String noWeights = INLINE.replace("50 60 70 1 2 3", "50 60 70");
        Problem p = KramerReader.parse(noWeights, "inline");
        assertThat(p.vessels()).extracting(Vessel::weight).containsOnly(Vessel.DEFAULT_WEIGHT);
        assertThat(p.vessels()).extracting(Vessel::latestDeparture).containsExactly(50L, 60L, 70L);
    }

    @Test
    void windowsLineEndingsAndExtraBlanksAreAccepted() {
        Problem p = KramerReader.parse("\r\n  " + INLINE.replace("\n", " \r\n\t"), "crlf");
        assertThat(p).isEqualTo(KramerReader.parse(INLINE, "inline"));
    }

    @Test
    void truncatedFileIsRejectedWithAClearMessage() throws IOException {
        String text = Files.readString(KramerData.instance("f200x15-01.txt"));
        String truncated = text.substring(0, text.length() / 2);
        assertThatThrownBy(() -> KramerReader.parse(truncated, "f200x15-01.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("f200x15-01.txt: file ends early");
    }

    @Test
    void fileCutInsideTheWeightsIsRejectedRatherThanReadAsUnweighted() {
        String cut = INLINE.replace("50 60 70 1 2 3", "50 60 70 1 2");
        assertThatThrownBy(() -> KramerReader.parse(cut, "cut.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cut.txt: file ends early");
    }

    @Test
    void emptyFileIsRejected() {
        assertThatThrownBy(() -> KramerReader.parse("", "empty.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty.txt");
    }

    @Test
    void nonIntegerTokenIsRejectedWithItsPosition() {
        String bad = INLINE.replace("0 5 7", "0 5.5 7");
        assertThatThrownBy(() -> KramerReader.parse(bad, "bad.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad.txt: not an integer at token 3: 5.5");
    }

    @Test
    void negativeCountsAreRejected() {
        assertThatThrownBy(() -> KramerReader.parse("-1 2", "neg.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
    }
}
