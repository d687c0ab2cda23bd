package dev.fastcircuitbreaker.offer.bounds;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.GZIPOutputStream;

/**
 * A stand-in for partner-offer that misbehaves at the socket level, as WireMock cannot, on 127.0.0.1: plain JDK sockets,
 * a thread per connection. It records each connection and when offer closed it: the partner's own witness.
 * Also a program of its own, for bench/: {@code java HostilePartner.java endless-chunked [port]}.
 */
public final class HostilePartner implements AutoCloseable {

    static final String HOT_OFFER = """
            {"id":"hot-42","type":"hot","description":"Hot deal from our partner: 50% off today","price":9.99}""";
    /** offer's limit on a partner's answer. */
    static final int BODY_LIMIT = 64 * 1024;

    enum Behaviour {
        HEALTHY, // a hot offer, as partner-offer sends it
        ENDLESS_CHUNKED, // 200, 64 KiB chunks as fast as the socket takes them, never ending
        HUGE_CONTENT_LENGTH, // 200 with Content-Length: 2000000000, then bytes as fast as the socket takes them
        EXACTLY_THE_LIMIT, // a hot offer padded to exactly the body limit, chunked
        ONE_BYTE_OVER_THE_LIMIT, // the same, one byte longer
        GZIP_BOMB, // unasked-for gzip that inflates to 64 MiB
        DRIP, // 200, chunked, a byte every 200 ms, never ending
        ENDLESS_HEADERS, // a status line, then header lines without end
        STATUS_THEN_SILENCE, // a status line, then nothing
        RESET_MID_BODY; // half a hot offer, then a TCP reset

        static Behaviour of(String name) {
            return valueOf(name.toUpperCase().replace('-', '_'));
        }
    }

    /** A connection offer opened: the behaviour its last request met, when it came, and when offer closed it (nanos). */
    static final class Connection {
        volatile Behaviour behaviour;
        volatile long requestAt;
        volatile long closedAt;

        /** How long it stayed open after its last request: until now while it is open. */
        long openMillis() {
            return ((closedAt == 0 ? System.nanoTime() : closedAt) - requestAt) / 1_000_000;
        }
    }

    private static final String STATUS_LINE = "HTTP/1.1 200 OK\r\n";
    private static final byte[] BOMB = gzipBomb();

    private final ServerSocket server;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private volatile Behaviour behaviour;
    private volatile boolean printsConnections;

    HostilePartner(Behaviour behaviour, int port) {
        this.behaviour = behaviour;
        try {
            server = new ServerSocket(port, 256, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon(this::accept, "hostile-partner-accept");
    }

    /** As a program, it says where it listens as Quarkus does, and prints a line for each connection: its own count. */
    public static void main(String[] args) throws InterruptedException {
        HostilePartner partner = new HostilePartner(Behaviour.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 0);
        partner.printsConnections = true;
        System.out.println("HostilePartner " + partner.behaviour + " Listening on: " + partner.url());
        Thread.currentThread().join();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    void behave(Behaviour behaviour) {
        this.behaviour = behaviour;
    }

    List<Connection> connections() {
        return List.copyOf(connections);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Connection connection = new Connection();
                connections.add(connection);
                if (printsConnections) {
                    System.out.println("connection " + connections.size());
                }
                daemon(() -> serve(socket, connection), "hostile-partner-" + connections.size());
            } catch (IOException closed) {
                // the test is over
            }
        }
    }

    private void serve(Socket socket, Connection connection) {
        try (socket) {
            InputStream in = socket.getInputStream();
            do {
                if (!readRequestHead(in)) {
                    return;
                }
                connection.behaviour = behaviour;
                connection.requestAt = System.nanoTime();
            } while (answer(connection.behaviour, socket, socket.getOutputStream()));
            while (in.read() >= 0) {
                // whatever was sent, wait for offer to let go of the connection
            }
        } catch (IOException e) {
            // offer closed or reset the connection
        } finally {
            connection.closedAt = System.nanoTime();
        }
    }

    /** Answers one request; true when the connection may carry another one. */
    private static boolean answer(Behaviour behaviour, Socket socket, OutputStream out) throws IOException {
        switch (behaviour) {
            case HEALTHY -> out.write(head("Content-Length: " + HOT_OFFER.length(), ascii(HOT_OFFER)));
            case EXACTLY_THE_LIMIT -> out.write(head("Transfer-Encoding: chunked", chunked(padded(BODY_LIMIT))));
            case ONE_BYTE_OVER_THE_LIMIT -> out.write(head("Transfer-Encoding: chunked", chunked(padded(BODY_LIMIT + 1))));
            case GZIP_BOMB -> out.write(head("Content-Encoding: gzip\r\nContent-Length: " + BOMB.length, BOMB));
            case ENDLESS_CHUNKED -> forever(out, head("Transfer-Encoding: chunked", new byte[0]), chunk(new byte[64 * 1024]), 0);
            case HUGE_CONTENT_LENGTH -> forever(out, head("Content-Length: 2000000000", new byte[0]), new byte[64 * 1024], 0);
            case ENDLESS_HEADERS -> forever(out, ascii(STATUS_LINE), ascii("X-Filler: " + "a".repeat(100) + "\r\n"), 0);
            case DRIP -> forever(out, head("Transfer-Encoding: chunked", chunk(ascii("{"))), chunk(ascii(" ")), 200);
            case STATUS_THEN_SILENCE -> {
                out.write(ascii(STATUS_LINE));
                out.flush();
                return false;
            }
            case RESET_MID_BODY -> {
                out.write(head("Content-Length: " + HOT_OFFER.length(), ascii(HOT_OFFER.substring(0, HOT_OFFER.length() / 2))));
                out.flush();
                socket.setSoLinger(true, 0);
                socket.close();
                return false;
            }
        }
        out.flush();
        return true;
    }

    /** Writes {@code first}, then {@code again} until offer lets go, pausing {@code millis} between each. */
    private static void forever(OutputStream out, byte[] first, byte[] again, long millis) throws IOException {
        out.write(first);
        while (true) {
            out.write(again);
            if (millis > 0) {
                out.flush();
                LockSupport.parkNanos(millis * 1_000_000);
            }
        }
    }

    private static boolean readRequestHead(InputStream in) throws IOException {
        int matched = 0; // of "\r\n\r\n"
        for (int b = in.read(); b >= 0; b = in.read()) {
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
            if (matched == 4) {
                return true;
            }
        }
        return false;
    }

    private static byte[] head(String headers, byte[] body) {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        answer.writeBytes(ascii(STATUS_LINE + "Content-Type: application/json\r\n" + headers + "\r\n\r\n"));
        answer.writeBytes(body);
        return answer.toByteArray();
    }

    private static byte[] padded(int length) {
        return ascii(HOT_OFFER + " ".repeat(length - HOT_OFFER.length()));
    }

    /** The body in 4 KiB chunks, and the last chunk. */
    private static byte[] chunked(byte[] body) {
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += 4096) {
            chunks.writeBytes(chunk(Arrays.copyOfRange(body, at, Math.min(at + 4096, body.length))));
        }
        chunks.writeBytes(ascii("0\r\n\r\n"));
        return chunks.toByteArray();
    }

    private static byte[] chunk(byte[] data) {
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        chunk.writeBytes(ascii(Integer.toHexString(data.length) + "\r\n"));
        chunk.writeBytes(data);
        chunk.writeBytes(ascii("\r\n"));
        return chunk.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] gzipBomb() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            for (int i = 0; i < 64; i++) {
                gzip.write(new byte[1024 * 1024]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
