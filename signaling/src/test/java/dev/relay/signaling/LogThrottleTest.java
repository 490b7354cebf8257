package dev.relay.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** WARN lines a peer causes: one per interval and kind, with the count of those left out. */
class LogThrottleTest {
    private static final long SECOND = 1_000_000_000L;
    private final Logger logger = (Logger) LoggerFactory.getLogger("test.throttle");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private long now = 5 * SECOND;

    LogThrottleTest() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
    }

    private List<String> lines() {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void shouldLogOncePerIntervalPerKindWithTheSuppressedCount() {
        LogThrottle throttle = new LogThrottle(logger, 10 * SECOND, () -> now);
        for (int i = 0; i < 1000; i++) {
            throttle.warn("rate", "client {} floods", i);
        }
        throttle.warn("slow", "slow reader {}", "a");
        now += 9 * SECOND;
        throttle.warn("rate", "client {} floods", "late");
        now += SECOND;
        throttle.warn("rate", "client {} floods", "next");
        now += 10 * SECOND;
        throttle.warn("rate", "client {} floods", "quiet");

        assertEquals(List.of(
                "client 0 floods",
                "slow reader a",
                "client next floods (1000 more like this not logged in the last 10 s)",
                "client quiet floods"), lines());
    }
}
