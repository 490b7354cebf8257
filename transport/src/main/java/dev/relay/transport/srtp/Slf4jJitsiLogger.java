package dev.relay.transport.srtp;

import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import org.jitsi.utils.logging2.Logger;
import org.slf4j.LoggerFactory;

/**
 * jitsi-srtp's logger interface ({@code org.jitsi.utils.logging2.Logger}, whose stock
 * implementation {@code LoggerImpl} writes to java.util.logging) routed to SLF4J.
 *
 * <p>Everything is logged at DEBUG. What jitsi-srtp reports through the loggers it derives from
 * this one is per packet (replay-window rejections at ERROR, GCM failures at INFO), and
 * {@link SrtpSession} already counts each of those by reason; a peer able to make us write a
 * WARN line per packet could fill the disk. Levels are the SLF4J backend's business, so the
 * JUL-style setters do nothing.
 */
final class Slf4jJitsiLogger implements Logger {
    private final org.slf4j.Logger log;

    Slf4jJitsiLogger(String name) {
        this.log = LoggerFactory.getLogger(name);
    }

    @Override
    public Logger createChildLogger(String name, Map<String, String> context) {
        return new Slf4jJitsiLogger(name);
    }

    @Override
    public Logger createChildLogger(String name) {
        return new Slf4jJitsiLogger(name);
    }

    private void log(Object message) {
        if (log.isDebugEnabled()) {
            log.debug(String.valueOf(message));
        }
    }

    private void log(Supplier<String> message) {
        if (log.isDebugEnabled()) {
            log.debug(message.get());
        }
    }

    private void log(Object message, Throwable t) {
        if (log.isDebugEnabled()) {
            log.debug(String.valueOf(message), t);
        }
    }

    @Override
    public boolean isTraceEnabled() {
        return log.isTraceEnabled();
    }

    @Override
    public void trace(Object message) {
        if (log.isTraceEnabled()) {
            log.trace(String.valueOf(message));
        }
    }

    @Override
    public void trace(Supplier<String> message) {
        if (log.isTraceEnabled()) {
            log.trace(message.get());
        }
    }

    @Override
    public boolean isDebugEnabled() {
        return log.isDebugEnabled();
    }

    @Override
    public void debug(Object message) {
        log(message);
    }

    @Override
    public void debug(Supplier<String> message) {
        log(message);
    }

    @Override
    public boolean isInfoEnabled() {
        return log.isDebugEnabled();
    }

    @Override
    public void info(Object message) {
        log(message);
    }

    @Override
    public void info(Supplier<String> message) {
        log(message);
    }

    @Override
    public boolean isWarnEnabled() {
        return log.isDebugEnabled();
    }

    @Override
    public void warn(Object message) {
        log(message);
    }

    @Override
    public void warn(Supplier<String> message) {
        log(message);
    }

    @Override
    public void warn(Object message, Throwable t) {
        log(message, t);
    }

    @Override
    public void error(Object message) {
        log(message);
    }

    @Override
    public void error(Supplier<String> message) {
        log(message);
    }

    @Override
    public void error(Object message, Throwable t) {
        log(message, t);
    }

    @Override
    public void setUseParentHandlers(boolean useParentHandlers) {
    }

    @Override
    public void addHandler(Handler handler) {
    }

    @Override
    public void removeHandler(Handler handler) {
    }

    @Override
    public void setLevelError() {
    }

    @Override
    public void setLevelWarn() {
    }

    @Override
    public void setLevelInfo() {
    }

    @Override
    public void setLevelDebug() {
    }

    @Override
    public void setLevelTrace() {
    }

    @Override
    public void setLevelAll() {
    }

    @Override
    public void setLevelOff() {
    }

    @Override
    public void setLevel(Level level) {
    }

    @Override
    public Level getLevel() {
        if (log.isTraceEnabled()) {
            return Level.FINEST;
        }
        return log.isDebugEnabled() ? Level.FINE : Level.OFF;
    }

    @Override
    public void addContext(Map<String, String> context) {
    }

    @Override
    public void addContext(String key, String value) {
    }
}
