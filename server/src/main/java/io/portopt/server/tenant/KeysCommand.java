package io.portopt.server.tenant;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.portopt.server.cache.SharedCache;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code ./portopt keys create --tenant T [--rate R] | list | revoke ID}, and {@code dev-key FILE}
 * for the launcher. Talks to PostgreSQL directly (migrating it first, so it works on a fresh
 * database) and announces changes on the Redis invalidation channel, which every server listens to;
 * without Redis, servers notice within their key cache lifetime (3 s). A new key goes to stdout
 * alone, so that {@code KEY=$(./portopt keys create --tenant acme)} works; everything else to stderr.
 */
public final class KeysCommand {
    static final String DEV_TENANT = "dev";

    private final TenantRepository repository;
    private final String redisUrl;
    private final PrintStream out;
    private final PrintStream err;
    private final SecureRandom random = new SecureRandom();

    KeysCommand(TenantRepository repository, String redisUrl, PrintStream out, PrintStream err) {
        this.repository = repository;
        this.redisUrl = redisUrl;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // Library logging (Flyway, Lettuce) would land on stdout next to the key: failures are
        // reported by this command itself, on stderr.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.OFF);
        String dbUrl = System.getenv().getOrDefault("PORTOPT_DB_URL", "");
        if (dbUrl.isBlank()) {
            System.err.println("keys: PORTOPT_DB_URL is not set");
            System.exit(2);
        }
        DriverManagerDataSource db = new DriverManagerDataSource(dbUrl,
                System.getenv().getOrDefault("PORTOPT_DB_USER", "postgres"),
                System.getenv().getOrDefault("PORTOPT_DB_PASSWORD", ""));
        int rc;
        try {
            Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
            rc = new KeysCommand(new TenantRepository(JdbcClient.create(db)), System.getenv("PORTOPT_REDIS_URL"),
                    System.out, System.err).run(List.of(args));
        } catch (RuntimeException e) {
            System.err.println("keys: " + e.getMessage());
            rc = 1;
        }
        System.exit(rc);
    }

    int run(List<String> args) {
        if (args.isEmpty()) {
            return usage();
        }
        return switch (args.get(0)) {
            case "create" -> create(args.subList(1, args.size()));
            case "list" -> list();
            case "revoke" -> args.size() == 2 ? revoke(args.get(1)) : usage();
            case "dev-key" -> args.size() == 2 ? devKey(Path.of(args.get(1))) : usage();
            default -> usage();
        };
    }

    private int usage() {
        err.println("usage: keys create --tenant T [--rate R] | keys list | keys revoke ID");
        return 2;
    }

    private int create(List<String> args) {
        String tenant = null;
        Double rate = null;
        boolean rateGiven = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("--tenant") || a.equals("--rate")) && i + 1 >= args.size()) {
                err.println("keys create: " + a + " needs a value");
                return 2;
            }
            switch (a) {
                case "--tenant" -> tenant = args.get(++i);
                case "--rate" -> {
                    rateGiven = true;
                    try {
                        rate = Double.parseDouble(args.get(++i));
                    } catch (NumberFormatException e) {
                        rate = Double.NaN;
                    }
                    if (!(rate > 0) || rate > 1_000_000) {
                        err.println("keys create: --rate must be a number of requests per second above 0");
                        return 2;
                    }
                }
                default -> {
                    err.println("keys create: unknown argument " + a);
                    return 2;
                }
            }
        }
        if (!Tenant.isValidId(tenant)) {
            err.println("keys create: --tenant must be 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit");
            return 2;
        }
        repository.upsertTenant(tenant, rate, rateGiven);
        ApiKey key = ApiKey.generate(random);
        repository.insertKey(key, tenant);
        announce(KeyVerifier.KEY_MESSAGE + key.id(), rateGiven ? KeyVerifier.TENANT_MESSAGE + tenant : null);
        err.println("created key " + key.id() + " for tenant " + tenant
                + (rateGiven ? " (rate " + rate + " requests/s)" : "")
                + "; it is shown once, below; only its hash is stored");
        out.println(key.token());
        return 0;
    }

    private int list() {
        out.println("id\ttenant\trate_per_second\tcreated_at\trevoked_at");
        for (KeyRecord k : repository.list()) {
            out.println(k.id() + "\t" + k.tenantId() + "\t" + (k.ratePerSecond() == null ? "unlimited" : k.ratePerSecond())
                    + "\t" + k.createdAt() + "\t" + (k.revokedAt() == null ? "-" : k.revokedAt()));
        }
        return 0;
    }

    private int revoke(String id) {
        if (!ApiKey.isId(id) || !repository.revoke(id)) {
            err.println("keys revoke: no active key with id '" + id + "' (see keys list)");
            return 1;
        }
        announce(KeyVerifier.KEY_MESSAGE + id, null);
        err.println("revoked key " + id);
        return 0;
    }

    /** Keeps a working development key in {@code file} (mode 0600): reuses it when still valid. */
    private int devKey(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                String token = Files.readString(file, StandardCharsets.US_ASCII).trim();
                Optional<ApiKey> key = ApiKey.parse(token);
                if (key.isPresent() && repository.find(key.get().id())
                        .filter(r -> !r.revoked() && DEV_TENANT.equals(r.tenantId()) && key.get().matches(r.keyHash()))
                        .isPresent()) {
                    err.println("development key " + key.get().id() + " in " + file + " is valid");
                    return 0;
                }
            }
            repository.upsertTenant(DEV_TENANT, null, false);
            ApiKey key = ApiKey.generate(random);
            repository.insertKey(key, DEV_TENANT);
            announce(KeyVerifier.KEY_MESSAGE + key.id(), null);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".dev-api-key", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, key.token() + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            err.println("created development key " + key.id() + " for tenant " + DEV_TENANT + " in " + file);
            return 0;
        } catch (IOException e) {
            err.println("keys dev-key: cannot write " + file + ": " + e.getMessage());
            return 1;
        }
    }

    /** Tells every server to forget what it cached about this key (and tenant). */
    private void announce(String keyMessage, String tenantMessage) {
        if (redisUrl == null || redisUrl.isBlank()) {
            return;
        }
        RedisURI uri = RedisURI.create(redisUrl);
        uri.setTimeout(Duration.ofSeconds(2));
        // Sentinel names the master by its own address; an operator's machine may reach it by another
        // (the cluster across hosts maps the hosts' addresses to the machine's forwarded ports).
        var resources = SharedCache.clientResources(System.getenv("PORTOPT_REDIS_ADDRESS_MAP"));
        RedisClient client = RedisClient.create(resources, uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().publish(SharedCache.INVALIDATION_CHANNEL, keyMessage);
            if (tenantMessage != null) {
                c.sync().publish(SharedCache.INVALIDATION_CHANNEL, tenantMessage);
            }
        } catch (RuntimeException e) {
            err.println("keys: Redis not reachable (" + e.getMessage() + "); servers notice within 3 s");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            resources.shutdown(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
