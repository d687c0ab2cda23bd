package dev.fastcircuitbreaker.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Callers of offer, each on a connection of its own kept open, timed from the moment its request is written to the
 * moment the last byte of its answer is read. Plain HTTP/1.1 on non-blocking JDK sockets, one thread for all: the
 * callers share this machine's two cores with offer and its partner, and what a heavier client does per answer is
 * counted as offer's time (a Vert.x client parsing each answer on its loops added about half a second to 2,048 at once,
 * bench/COLD-START.md).
 */
final class Callers implements AutoCloseable {

    private static final Duration GIVE_UP = Duration.ofSeconds(60);

    /** One answer as its caller saw it: status (0 if the connection failed), body, and the time it took. */
    record Answer(int status, String body, long millis) {
    }

    private final Selector selector;
    private final List<Caller> callers;
    private final byte[] request;

    /** {@code count} connections to offer at {@code offerUrl}, open and idle when this returns. */
    Callers(String offerUrl, String path, int count) {
        URI uri = URI.create(offerUrl);
        request = ("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try {
            selector = Selector.open();
            callers = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress(uri.getHost(), uri.getPort()));
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.configureBlocking(false);
                Caller caller = new Caller(channel);
                channel.register(selector, SelectionKey.OP_READ, caller);
                callers.add(caller);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every caller sends one request at once; their answers, in the order they came in. */
    List<Answer> atOnce() {
        return eachAsks(1);
    }

    /** Every caller asks {@code times}, each request sent once the answer to the one before is in; all the answers. */
    List<Answer> eachAsks(int times) {
        List<Answer> answers = new ArrayList<>(callers.size() * times);
        try {
            for (Caller caller : callers) {
                caller.left = times;
                caller.send();
            }
            int asking = callers.size();
            long deadline = System.nanoTime() + GIVE_UP.toNanos();
            ByteBuffer read = ByteBuffer.allocate(64 * 1024);
            while (asking > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(asking + " callers still waiting after " + GIVE_UP);
                }
                selector.select(Math.max(1, left / 1_000_000));
                for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext();) {
                    Caller caller = (Caller) keys.next().attachment();
                    keys.remove();
                    Answer answer = caller.read(read);
                    if (answer == null) {
                        continue;
                    }
                    answers.add(answer);
                    if (answer.status() != 0 && --caller.left > 0) {
                        caller.send();
                    } else {
                        asking--;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return answers;
    }

    @Override
    public void close() throws IOException {
        for (Caller caller : callers) {
            caller.channel.close();
        }
        selector.close();
    }

    /** One connection: the request in flight, and what came of its answer so far. */
    private final class Caller {

        private final SocketChannel channel;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private long sentAt;
        private int left;

        Caller(SocketChannel channel) {
            this.channel = channel;
        }

        void send() throws IOException {
            received.reset();
            ByteBuffer bytes = ByteBuffer.wrap(request);
            sentAt = System.nanoTime();
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        /** Reads what is there: the whole answer once its last byte is in, else null. */
        Answer read(ByteBuffer buffer) throws IOException {
            buffer.clear();
            int count;
            try {
                count = channel.read(buffer);
            } catch (IOException e) {
                count = -1;
            }
            if (count < 0) {
                channel.close();
                return new Answer(0, "connection closed after " + received.size() + " bytes", millisSince(sentAt));
            }
            received.write(buffer.array(), 0, count);
            String text = received.toString(StandardCharsets.ISO_8859_1);
            int headersEnd = text.indexOf("\r\n\r\n");
            if (headersEnd < 0) {
                return null;
            }
            int bodyStart = headersEnd + 4;
            int length = contentLength(text.substring(0, headersEnd));
            if (text.length() - bodyStart < length) {
                return null;
            }
            long millis = millisSince(sentAt);
            int status = Integer.parseInt(text.substring(9, 12));
            String body = new String(received.toByteArray(), bodyStart, length, StandardCharsets.UTF_8);
            return new Answer(status, body, millis);
        }
    }

    private static int contentLength(String headers) {
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        throw new IllegalStateException("an answer without Content-Length: " + headers);
    }

    private static long millisSince(long start) {
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }
}
