package dev.fastcircuitbreaker.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.MissingNode;

import dev.fastcircuitbreaker.e2e.OfferClient.Answer;

/** Callers on connections kept open, one thread of JDK sockets: a heavier client's work is offer's time (bench/COLD-START.md). */
final class Callers implements AutoCloseable {

    private static final Duration GIVE_UP = Duration.ofSeconds(60);
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)");

    /** An answer as it came: status (0 if the connection failed), body (or what failed), time. */
    private record Reply(int status, String body, long millis) {
    }

    private final Selector selector;
    private final List<Caller> callers = new ArrayList<>();
    private final byte[] request;

    Callers(String offerUrl, int count) throws IOException {
        URI uri = URI.create(offerUrl);
        request = ("GET /offers HTTP/1.1\r\nHost: " + uri.getAuthority() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        selector = Selector.open();
        for (int i = 0; i < count; i++) {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress(uri.getHost(), uri.getPort()));
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            Caller caller = new Caller(channel);
            channel.register(selector, SelectionKey.OP_READ, caller);
            callers.add(caller);
        }
    }

    /** Every caller asks {@code times}, one after another; the answers are read as JSON once all are in, delaying none. */
    List<Answer> eachAsks(int times) throws IOException {
        List<Reply> replies = new ArrayList<>(callers.size() * times);
        for (Caller caller : callers) {
            caller.left = times;
            caller.send();
        }
        int asking = callers.size();
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (asking > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException(asking + " callers still waiting after " + GIVE_UP);
            }
            selector.select(Math.max(1, left / 1_000_000));
            for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext();) {
                Caller caller = (Caller) keys.next().attachment();
                keys.remove();
                Reply reply = caller.read(buffer);
                if (reply != null) {
                    replies.add(reply);
                    if (reply.status() != 0 && --caller.left > 0) {
                        caller.send();
                    } else {
                        asking--;
                    }
                }
            }
        }
        return replies.stream().map(reply -> reply.status() == 0
                ? new Answer(0, MissingNode.getInstance(), reply.body(), reply.millis())
                : OfferClient.answer(reply.status(), reply.body(), reply.millis())).toList();
    }

    @Override
    public void close() throws IOException {
        for (Caller caller : callers) {
            caller.channel.close();
        }
        selector.close();
    }

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

        Reply read(ByteBuffer buffer) throws IOException {
            buffer.clear();
            int count;
            try {
                count = channel.read(buffer);
            } catch (IOException e) {
                count = -1;
            }
            if (count < 0) {
                channel.close();
                return new Reply(0, "connection closed after " + received.size() + " bytes", OfferClient.millisSince(sentAt));
            }
            received.write(buffer.array(), 0, count);
            String text = received.toString(StandardCharsets.ISO_8859_1);
            int bodyStart = text.indexOf("\r\n\r\n") + 4;
            if (bodyStart < 4) {
                return null;
            }
            int bodyLength = CONTENT_LENGTH.matcher(text.substring(0, bodyStart)).results().findFirst()
                    .map(length -> Integer.parseInt(length.group(1)))
                    .orElseThrow(() -> new IllegalStateException("an answer without Content-Length: " + text));
            if (text.length() - bodyStart < bodyLength) {
                return null;
            }
            long millis = OfferClient.millisSince(sentAt);
            String body = new String(received.toByteArray(), bodyStart, bodyLength, StandardCharsets.UTF_8);
            return new Reply(Integer.parseInt(text.substring(9, 12)), body, millis);
        }
    }
}
