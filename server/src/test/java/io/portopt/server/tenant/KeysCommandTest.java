package io.portopt.server.tenant;

import io.portopt.server.RealServices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.flywaydb.core.Flyway;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./portopt keys} against the real PostgreSQL: keys shown once, stored as hashes, revocable. */
class KeysCommandTest {
    private static JdbcClient jdbc;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void database() {
        RealServices.require();
        DriverManagerDataSource db = new DriverManagerDataSource(RealServices.DB_URL, "postgres", "");
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        jdbc = JdbcClient.create(db);
    }

    private int keys(String... args) {
        out.reset();
        err.reset();
        return new KeysCommand(new TenantRepository(jdbc), null, new PrintStream(out, true), new PrintStream(err, true))
                .run(List.of(args));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void createShowsTheKeyOnceAndStoresOnlyItsHash() {
        String tenant = "acme-" + ThreadLocalRandom.current().nextInt(1_000_000);
        assertThat(keys("create", "--tenant", tenant, "--rate", "5")).isZero();
        String token = stdout().trim();
        ApiKey key = ApiKey.parse(token).orElseThrow();
        assertThat(stdout().lines()).hasSize(1);

        byte[] stored = jdbc.sql("SELECT key_hash FROM api_key WHERE id = ?").param(key.id()).query(byte[].class).single();
        assertThat(stored).isEqualTo(key.hash()).hasSize(32);
        assertThat(jdbc.sql("SELECT count(*) FROM api_key k WHERE row_to_json(k)::text LIKE ?")
                .param("%" + key.secret() + "%").query(Long.class).single()).as("the secret is stored nowhere").isZero();
        assertThat(jdbc.sql("SELECT rate_per_second FROM tenant WHERE id = ?").param(tenant).query(Double.class).single())
                .isEqualTo(5.0);

        assertThat(keys("list")).isZero();
        assertThat(stdout()).contains(key.id()).contains(tenant).doesNotContain(key.secret());
        assertThat(keys("revoke", key.id())).isZero();
        assertThat(keys("list")).isZero();
        assertThat(stdout().lines().filter(l -> l.startsWith(key.id())).findFirst().orElseThrow()).doesNotEndWith("\t-");
    }

    @Test
    void badArgumentsAreRefusedWithAMessage() {
        assertThat(keys("create")).isEqualTo(2);
        assertThat(keys("create", "--tenant", "Bad Name")).isEqualTo(2);
        assertThat(keys("create", "--tenant", "ok", "--rate", "-1")).isEqualTo(2);
        assertThat(keys("create", "--tenant", "ok", "--rate", "lots")).isEqualTo(2);
        assertThat(keys("create", "--tenant")).isEqualTo(2);
        assertThat(keys("revoke", "' OR 1=1 --")).isEqualTo(1);
        assertThat(keys("revoke", "aaaaaaaaaaaa")).isEqualTo(1);
        assertThat(keys("frobnicate")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage");
    }

    @Test
    void theDevelopmentKeyFileIsPrivateAndReusedWhileValid(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("var/dev-api-key");
        assertThat(keys("dev-key", file.toString())).isZero();
        String first = Files.readString(file).trim();
        assertThat(ApiKey.parse(first)).isPresent();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        assertThat(keys("dev-key", file.toString())).isZero();
        assertThat(Files.readString(file).trim()).as("still valid: kept").isEqualTo(first);

        assertThat(keys("revoke", ApiKey.parse(first).orElseThrow().id())).isZero();
        assertThat(keys("dev-key", file.toString())).isZero();
        String second = Files.readString(file).trim();
        assertThat(second).as("revoked: replaced").isNotEqualTo(first);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
}
