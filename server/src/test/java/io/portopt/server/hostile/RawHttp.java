package io.portopt.server.hostile;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A deliberately dumb HTTP/1.1 client over a plain socket: it sends the request line, headers and
 * body bytes exactly as given (no URI validation, no encoding, no Content-Type of its own), so the
 * hostile suite can send what {@link java.net.http.HttpClient} refuses to build. One connection per
 * request ({@code Connection: close}). The body is written on its own thread while the response is
 * read, so a server that answers early (413) and stops reading does not deadlock the test.
 */
final class RawHttp {
    /** Longer than any legitimate answer here; a request that takes longer counts as a hang. */
    static final int TIMEOUT_MS = 30_000;

    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    /** The answer to one request; header names are lower-cased. */
    record Reply(int status, Map<String, List<String>> headers, byte[] body, long millis) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.getFirst();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            String t = text();
            return status + " " + header("content-type") + " " + (t.length() > 300 ? t.substring(0, 300) + "..." : t);
        }
    }

    /** {@link #send}, with a failure to get any answer (a hang, a reset) reported as a failure of the case. */
    Reply exchange(String what, String method, String target, List<String[]> headers, byte[] body) {
        try {
            return send(method, target, headers, body);
        } catch (IOException e) {
            throw new AssertionError(what + " -> no HTTP answer: " + e, e);
        }
    }

    /**
     * Sends one request. {@code headers} are sent as given, in order; {@code Host} and
     * {@code Connection: close} are added, and {@code Content-Length} when {@code body} is not null
     * and no header names a length or a transfer coding already.
     */
    Reply send(String method, String target, List<String[]> headers, byte[] body) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        write(head, method + " " + target + " HTTP/1.1\r\n");
        write(head, "Host: 127.0.0.1:" + port + "\r\n");
        write(head, "Connection: close\r\n");
        boolean framed = false;
        long declared = -1;
        for (String[] h : headers) {
            write(head, h[0] + ": " + h[1] + "\r\n");
            String name = h[0].toLowerCase(Locale.ROOT);
            framed |= name.equals("content-length") || name.equals("transfer-encoding");
            if (name.equals("content-length")) {
                declared = Long.parseLong(h[1].trim());
            }
        }
        // A body shorter than its declared length: end the request side, so the server sees the
        // end of the stream at once instead of waiting for its connection timeout.
        boolean halfClose = body != null && declared > body.length;
        if (body != null && !framed) {
            write(head, "Content-Length: " + body.length + "\r\n");
        }
        write(head, "\r\n");
        long t0 = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            byte[] headBytes = head.toByteArray();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    out.write(headBytes);
                    if (body != null) {
                        for (int off = 0; off < body.length; off += 65536) {
                            out.write(body, off, Math.min(65536, body.length - off));
                        }
                    }
                    out.flush();
                    if (halfClose) {
                        socket.shutdownOutput();
                    }
                } catch (IOException e) {
                    // The server answered early and closed its side; the answer is what counts.
                }
            }, r -> Thread.ofVirtual().name("raw-http-writer").start(r));
            InputStream in = socket.getInputStream();
            Reply reply;
            try {
                reply = read(in, method.equals("HEAD"), t0);
            } catch (SocketTimeoutException e) {
                throw new IOException("no answer within " + TIMEOUT_MS + " ms to " + method + " " + abbreviate(target), e);
            }
            writer.cancel(true);
            return reply;
        }
    }

    private static Reply read(InputStream raw, boolean head, long t0) throws IOException {
        InputStream in = new java.io.BufferedInputStream(raw);
        String statusLine = line(in);
        if (statusLine == null) {
            throw new EOFException("the server closed the connection without an answer");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + abbreviate(statusLine));
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        while ((line = line(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
        }
        byte[] body;
        List<String> te = headers.get("transfer-encoding");
        List<String> cl = headers.get("content-length");
        if (head || status == 204 || status == 304 || status / 100 == 1) {
            body = new byte[0];
        } else if (te != null && te.getLast().toLowerCase(Locale.ROOT).contains("chunked")) {
            body = chunked(in);
        } else if (cl != null) {
            body = in.readNBytes(Integer.parseInt(cl.getFirst()));
        } else {
            body = in.readAllBytes();
        }
        return new Reply(status, headers, body, (System.nanoTime() - t0) / 1_000_000);
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                throw new EOFException("chunked body ended early");
            }
            int n = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
            if (n == 0) {
                while ((size = line(in)) != null && !size.isEmpty()) {
                    // trailers
                }
                return out.toByteArray();
            }
            out.write(in.readNBytes(n));
            line(in);
        }
    }

    /** One CRLF- (or LF-) terminated line as ISO-8859-1; null at end of stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    /** The body in chunked transfer coding (64 KB chunks). */
    static byte[] chunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 64);
        for (int off = 0; off < body.length; off += 65536) {
            int n = Math.min(65536, body.length - off);
            write(out, Integer.toHexString(n) + "\r\n");
            out.write(body, off, n);
            write(out, "\r\n");
        }
        write(out, "0\r\n\r\n");
        return out.toByteArray();
    }

    /** Request line and headers byte for byte: one char, one byte (ISO-8859-1). */
    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String abbreviate(String s) {
        return abbreviate(s, 120);
    }

    static String abbreviate(String s, int max) {
        return s.length() > max ? s.substring(0, max) + "...(" + s.length() + " chars)" : s;
    }
}
