package dev.fastcircuitbreaker.e2e;

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
import java.util.zip.GZIPOutputStream;

/**
 * A stand-in for partner-offer that misbehaves at the socket level, as WireMock cannot: endless or huge bodies,
 * drips, silence, resets. Plain JDK sockets, one thread per connection, on 127.0.0.1 and a free port. It records
 * every connection it accepts and when the other side (offer) closed it.
 * <p>
 * Also runs on its own, for the benchmark: {@code java HostilePartner.java endless-chunked [port]}.
 */
public final class HostilePartner implements AutoCloseable {

    /** The hot offer partner-offer answers. */
    static final String HOT_OFFER = """
            {"id":"hot-42","type":"hot","description":"Hot deal from our partner: 50% off today","price":9.99}""";
    /** offer's limit on a partner's answer. */
    static final int BODY_LIMIT = 64 * 1024;

    /** What the partner does with each request. */
    enum Behaviour {
        /** A hot offer, as partner-offer sends it. */
        HEALTHY,
        /** 200, chunked, 64 KiB chunks as fast as the socket takes them, never ending. */
        ENDLESS_CHUNKED,
        /** 200 declaring {@code Content-Length: 2000000000}, then bytes as fast as the socket takes them. */
        HUGE_CONTENT_LENGTH,
        /** A hot offer padded with whitespace to exactly the body limit, chunked. */
        EXACTLY_THE_LIMIT,
        /** The same, one byte longer. */
        ONE_BYTE_OVER_THE_LIMIT,
        /** A gzip body that would inflate to 64 MiB, unasked for. */
        GZIP_BOMB,
        /** 200, chunked, one byte every 200 ms. */
        DRIP,
        /** A status line, then header lines without end. */
        ENDLESS_HEADERS,
        /** A status line, then nothing. */
        STATUS_THEN_SILENCE,
        /** Half of a hot offer, then a TCP reset. */
        RESET_MID_BODY;

        static Behaviour of(String name) {
            return valueOf(name.toUpperCase().replace('-', '_'));
        }
    }

    /**
     * One connection offer opened: how its last request was answered, when that request came, and when offer closed the
     * connection (0 while it is open). Times are {@link System#nanoTime()}.
     */
    static final class Connection {
        volatile Behaviour behaviour;
        volatile long requestAt;
        volatile long closedAt;

        /** How long the connection stayed open after its last request: until now if it is still open. */
        long openMillis() {
            return ((closedAt == 0 ? System.nanoTime() : closedAt) - requestAt) / 1_000_000;
        }
    }

    private static final byte[] GZIP_BOMB_BODY = gzipBomb();

    private final ServerSocket server;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private volatile Behaviour behaviour;

    HostilePartner(Behaviour behaviour, int port) {
        this.behaviour = behaviour;
        try {
            server = new ServerSocket(port, 256, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "hostile-partner-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static void main(String[] args) throws InterruptedException {
        HostilePartner partner = new HostilePartner(Behaviour.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 0);
        System.out.println("HostilePartner " + partner.behaviour + " listening on " + partner.url());
        Thread.currentThread().join();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    void behave(Behaviour behaviour) {
        this.behaviour = behaviour;
    }

    /** Every connection accepted so far, in order. */
    List<Connection> connections() {
        return List.copyOf(connections);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Connection connection = new Connection();
                connections.add(connection);
                Thread thread = new Thread(() -> serve(socket, connection), "hostile-partner-" + connections.size());
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void serve(Socket socket, Connection connection) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            do {
                if (!readRequest(in)) {
                    return;
                }
                connection.behaviour = behaviour;
                connection.requestAt = System.nanoTime();
            } while (answer(connection.behaviour, socket, out));
            // Whatever was sent, wait for offer to let go of the connection.
            while (in.read() >= 0) {
                // offer sends nothing more on this connection
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
            case HEALTHY -> {
                out.write(head("Content-Length: " + HOT_OFFER.length()));
                out.write(ascii(HOT_OFFER));
                out.flush();
                return true;
            }
            case ENDLESS_CHUNKED -> {
                out.write(head("Transfer-Encoding: chunked"));
                byte[] chunk = chunk(new byte[64 * 1024]);
                while (true) {
                    out.write(chunk);
                }
            }
            case HUGE_CONTENT_LENGTH -> {
                out.write(head("Content-Length: 2000000000"));
                byte[] bytes = new byte[64 * 1024];
                while (true) {
                    out.write(bytes);
                }
            }
            case EXACTLY_THE_LIMIT, ONE_BYTE_OVER_THE_LIMIT -> {
                int length = behaviour == Behaviour.EXACTLY_THE_LIMIT ? BODY_LIMIT : BODY_LIMIT + 1;
                byte[] body = ascii(HOT_OFFER + " ".repeat(length - HOT_OFFER.length()));
                out.write(head("Transfer-Encoding: chunked"));
                for (int at = 0; at < body.length; at += 4096) {
                    out.write(chunk(Arrays.copyOfRange(body, at, Math.min(at + 4096, body.length))));
                }
                out.write(ascii("0\r\n\r\n"));
                out.flush();
                return true;
            }
            case GZIP_BOMB -> {
                out.write(head("Content-Encoding: gzip\r\nContent-Length: " + GZIP_BOMB_BODY.length));
                out.write(GZIP_BOMB_BODY);
                out.flush();
                return true;
            }
            case DRIP -> {
                out.write(head("Transfer-Encoding: chunked"));
                out.flush();
                byte[] body = ascii(HOT_OFFER);
                for (int i = 0; true; i++) {
                    out.write(chunk(new byte[] { i < body.length ? body[i] : (byte) ' ' }));
                    out.flush();
                    pause(200);
                }
            }
            case ENDLESS_HEADERS -> {
                out.write(ascii("HTTP/1.1 200 OK\r\n"));
                byte[] line = ascii("X-Filler: " + "a".repeat(100) + "\r\n");
                while (true) {
                    out.write(line);
                }
            }
            case STATUS_THEN_SILENCE -> {
                out.write(ascii("HTTP/1.1 200 OK\r\n"));
                out.flush();
                return false;
            }
            case RESET_MID_BODY -> {
                out.write(head("Content-Length: " + HOT_OFFER.length()));
                out.write(ascii(HOT_OFFER.substring(0, HOT_OFFER.length() / 2)));
                out.flush();
                socket.setSoLinger(true, 0);
                socket.close();
                return false;
            }
            default -> throw new IllegalStateException(behaviour.toString());
        }
    }

    /** Reads one request's head; false when the connection ended first. */
    private static boolean readRequest(InputStream in) throws IOException {
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
            if (matched == 4) {
                return true;
            }
        }
        return false;
    }

    private static byte[] head(String headers) {
        return ascii("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + headers + "\r\n\r\n");
    }

    private static byte[] chunk(byte[] data) {
        ByteArrayOutputStream chunk = new ByteArrayOutputStream(data.length + 16);
        chunk.writeBytes(ascii(Integer.toHexString(data.length) + "\r\n"));
        chunk.writeBytes(data);
        chunk.writeBytes(ascii("\r\n"));
        return chunk.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static byte[] gzipBomb() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            byte[] zeros = new byte[1024 * 1024];
            for (int i = 0; i < 64; i++) {
                gzip.write(zeros);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
