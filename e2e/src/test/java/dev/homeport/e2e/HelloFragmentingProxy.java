package dev.homeport.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A loopback proxy for one connection that cuts the client's first TLS record (its ClientHello)
 * into records of {@code recordSize} payload bytes and sends them one byte per TCP segment
 * (TCP_NODELAY, one write and flush per byte); everything after passes unchanged. TLS allows
 * such fragmentation, so a correct receiver must still read the hello.
 */
final class HelloFragmentingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final int recordSize;
    private final Thread acceptor;
    private volatile Socket client;
    private volatile Socket upstream;

    HelloFragmentingProxy(InetSocketAddress target, int recordSize) throws IOException {
        this.target = target;
        this.recordSize = recordSize;
        this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::serveOne, "hello-fragmenting-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    private void serveOne() {
        try {
            client = server.accept();
            upstream = new Socket();
            upstream.setTcpNoDelay(true);
            upstream.connect(target, 5_000);
            Thread back = new Thread(() -> pipe(upstream, client), "hello-fragmenting-proxy-back");
            back.setDaemon(true);
            back.start();
            InputStream in = client.getInputStream();
            OutputStream out = upstream.getOutputStream();
            byte[] header = in.readNBytes(5);
            byte[] payload = in.readNBytes((header[3] & 0xFF) << 8 | header[4] & 0xFF);
            ByteArrayOutputStream records = new ByteArrayOutputStream();
            for (int i = 0; i < payload.length; i += recordSize) {
                int n = Math.min(recordSize, payload.length - i);
                records.write(header, 0, 3);
                records.write(n >> 8);
                records.write(n);
                records.write(payload, i, n);
            }
            for (byte b : records.toByteArray()) {
                out.write(b);
                out.flush();
                Thread.onSpinWait();
            }
            pipe(client, upstream);
        } catch (IOException e) {
            // the test ended the connection
        } finally {
            closeQuietly();
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed
        }
    }

    private void closeQuietly() {
        for (Socket s : new Socket[] {client, upstream}) {
            try {
                if (s != null) {
                    s.close();
                }
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        closeQuietly();
        acceptor.join(5_000);
    }
}
