package dev.relay.signaling.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogEventSinkTest {

    @Test
    void shouldLogEachEventAsItsCloudEventJson() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(LogEventSink.LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            LogEventSink sink = new LogEventSink();
            CloudEvent event = QueuedEventSinkTest.event(7);
            sink.publish(event);
            sink.close(Duration.ZERO);

            assertEquals(1, appender.list.size());
            ObjectMapper json = new ObjectMapper();
            assertEquals(json.readTree(event.toJsonBytes()), json.readTree(appender.list.get(0).getFormattedMessage()));
            assertEquals(1, sink.published());
        } finally {
            logger.detachAppender(appender);
        }
    }
}
