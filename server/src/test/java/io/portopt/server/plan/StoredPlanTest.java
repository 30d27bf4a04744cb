package io.portopt.server.plan;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class StoredPlanTest {
    private static final byte[] CORE = "{\"id\":\"p1\",\"assignments\":[]".getBytes(StandardCharsets.UTF_8);

    @Test
    void theSharedCacheEncodingKeepsTheBound() {
        StoredPlan plan = new StoredPlan("p1", CORE, new StoredPlan.Bound(1234.5, 0.0125, false));
        StoredPlan back = StoredPlan.decode(plan.encode());
        assertThat(back.id()).isEqualTo("p1");
        assertThat(back.core()).isEqualTo(CORE);
        assertThat(back.bound()).isEqualTo(plan.bound());
    }

    @Test
    void aPlanWithoutABoundAndAnEntryWrittenBeforeBoundsExistedBothDecode() {
        StoredPlan none = StoredPlan.decode(new StoredPlan("p1", CORE).encode());
        assertThat(none.bound()).isNull();
        assertThat(none.core()).isEqualTo(CORE);
        byte[] old = ("p1\n" + new String(CORE, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        assertThat(StoredPlan.decode(old).core()).isEqualTo(CORE);
    }

    @Test
    void theBoundIsReportedInTheQuality() {
        StoredPlan plan = new StoredPlan("p1", CORE, new StoredPlan.Bound(100.0, 0.0, true));
        String body = new String(plan.withQuality("{\"source\":\"cache\",\"lowerBound\":100.0}".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8);
        assertThat(body).endsWith(",\"quality\":{\"source\":\"cache\",\"lowerBound\":100.0}}");
    }
}
