package dev.homeport.client.status;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * What a running client shows about itself, once a second: on its own terminal as one line, and in
 * its status file for {@code homeport status}. Byte rates are per second over the last sample.
 */
public record ClientStatus(long pid, String relay, boolean connected, int openStreams, long bytesIn, long bytesOut,
                           long inPerSecond, long outPerSecond, long rttMillis, List<Tunnel> tunnels) {

    /** One tunnel: its name, public address (empty until bound) and local target. */
    public record Tunnel(String name, String publicAddress, String local) {
    }

    public ClientStatus {
        tunnels = List.copyOf(tunnels);
    }

    /** The one line: tunnels, open streams, rates in and out, round-trip time, the relay in use. */
    public String line() {
        StringBuilder b = new StringBuilder();
        b.append(tunnels.size()).append(tunnels.size() == 1 ? " tunnel" : " tunnels");
        if (!connected) {
            return b.append(" | connecting to ").append(relay).toString();
        }
        return b.append(" | ").append(openStreams).append(openStreams == 1 ? " stream" : " streams")
                .append(" | in ").append(bytes(inPerSecond)).append("/s out ").append(bytes(outPerSecond)).append("/s")
                .append(" | rtt ").append(rttMillis).append(" ms")
                .append(" | connected to ").append(relay).toString();
    }

    /** What {@code homeport status} prints for this client: a header, the line, one line per tunnel. */
    public List<String> report() {
        List<String> lines = new ArrayList<>();
        lines.add("client pid " + pid + ", relay " + relay + (connected ? ", connected" : ", connecting"));
        lines.add("  " + line());
        lines.add("  bytes in " + bytesIn + ", out " + bytesOut + " (this connection)");
        for (Tunnel t : tunnels) {
            lines.add("  tunnel " + t.name() + "  " + (t.publicAddress().isEmpty() ? "(not bound yet)" : t.publicAddress())
                    + "  ->  " + t.local());
        }
        return lines;
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** The status file's form: Java properties, which need no library and survive any tunnel name. */
    public String encode() {
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("relay", relay);
        p.setProperty("connected", Boolean.toString(connected));
        p.setProperty("open_streams", Integer.toString(openStreams));
        p.setProperty("bytes_in", Long.toString(bytesIn));
        p.setProperty("bytes_out", Long.toString(bytesOut));
        p.setProperty("in_per_second", Long.toString(inPerSecond));
        p.setProperty("out_per_second", Long.toString(outPerSecond));
        p.setProperty("rtt_ms", Long.toString(rttMillis));
        p.setProperty("tunnels", Integer.toString(tunnels.size()));
        for (int i = 0; i < tunnels.size(); i++) {
            p.setProperty("tunnel." + i + ".name", tunnels.get(i).name());
            p.setProperty("tunnel." + i + ".public", tunnels.get(i).publicAddress());
            p.setProperty("tunnel." + i + ".local", tunnels.get(i).local());
        }
        StringWriter out = new StringWriter();
        try {
            p.store(out, "homeport client status, rewritten every second");
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** Reads {@link #encode()}'s form; {@link IllegalArgumentException} if it is not that. */
    public static ClientStatus decode(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
            List<Tunnel> tunnels = new ArrayList<>();
            int n = Integer.parseInt(p.getProperty("tunnels"));
            for (int i = 0; i < n; i++) {
                tunnels.add(new Tunnel(p.getProperty("tunnel." + i + ".name"), p.getProperty("tunnel." + i + ".public", ""),
                        p.getProperty("tunnel." + i + ".local", "")));
            }
            return new ClientStatus(Long.parseLong(p.getProperty("pid")), p.getProperty("relay"),
                    Boolean.parseBoolean(p.getProperty("connected")), Integer.parseInt(p.getProperty("open_streams")),
                    Long.parseLong(p.getProperty("bytes_in")), Long.parseLong(p.getProperty("bytes_out")),
                    Long.parseLong(p.getProperty("in_per_second")), Long.parseLong(p.getProperty("out_per_second")),
                    Long.parseLong(p.getProperty("rtt_ms")), tunnels);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a homeport status file: " + e.getMessage(), e);
        }
    }
}
