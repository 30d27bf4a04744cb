package io.portopt.server;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.sql.DriverManager;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tests need a real PostgreSQL and a real Redis. When one is missing they fail here with a
 * message that says what to start, instead of a long Spring context stack trace.
 */
public final class RealServices {
    public static final String DB_URL = env("PORTOPT_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/portopt_test");
    public static final String REDIS_URL = env("PORTOPT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0");

    private RealServices() {
    }

    public static void require() {
        try (var c = DriverManager.getConnection(DB_URL, "postgres", "")) {
            c.isValid(2);
        } catch (Exception e) {
            fail("PostgreSQL is not reachable at " + DB_URL + " (" + e.getMessage()
                    + "). Run the tests with ./portopt test, which starts it and creates the database.");
        }
        URI redis = URI.create(REDIS_URL);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(redis.getHost(), redis.getPort()), 2000);
        } catch (Exception e) {
            fail("Redis is not reachable at " + REDIS_URL + " (" + e.getMessage()
                    + "). Run the tests with ./portopt test, which starts it.");
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
