package dev.fastcircuitbreaker.offer.circuit;

import java.io.IOException;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;
import io.vertx.core.http.HttpClosedException;

/**
 * A stream client that hangs up while offer writes to it (a closed tab, curl stopped with Ctrl-C) is the client's
 * doing, not offer's trouble, and its stream is cancelled at once; but RESTEasy logs that one failed write as an ERROR
 * with its stack trace. This filter ({@code quarkus.log.console.filter}) drops exactly those records.
 */
@LoggingFilter(name = "stream-client-hang-ups")
public final class StreamClientHangUps implements Filter {

    private static final String SSE_WRITER = "org.jboss.resteasy.reactive.server.handlers.PublisherResponseHandler";

    @Override
    public boolean isLoggable(LogRecord record) {
        return !(SSE_WRITER.equals(record.getLoggerName()) && hungUp(record.getThrown()));
    }

    private static boolean hungUp(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // Broken pipe, connection reset, closed channel: all IOExceptions, as Vert.x' "Connection was closed".
            if (cause instanceof IOException || cause instanceof HttpClosedException) {
                return true;
            }
        }
        return false;
    }
}
