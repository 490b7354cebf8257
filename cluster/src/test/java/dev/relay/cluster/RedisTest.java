package dev.relay.cluster;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** A test class with a real redis-server of its own ({@link RedisServer}), started once for the class. */
abstract class RedisTest {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start(dir);
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
            redis = null;
        }
    }
}
