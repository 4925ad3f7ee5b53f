package dev.homeport.server.admin;

import dev.homeport.server.admission.RecentRefusals;
import dev.homeport.server.tls.ServerCertificates;
import dev.homeport.server.tunnel.Tunnel;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The dashboard's rows, from the relay's live sessions and tunnels and from its meters: a tunnel's
 * bytes are the {@code homeport.tunnel.traffic} counters the bridges already add to, and refusals the
 * counters of throttled, refused and failed connections, so the page costs the data path nothing.
 */
public final class RelayDashboard implements DashboardSource {
    private final Supplier<List<SessionRow>> sessions;
    private final Supplier<List<Tunnel>> tunnels;
    private final MeterRegistry registry;

    private final Supplier<ServerCertificates> certificates;
    private final RecentRefusals recent;

    public RelayDashboard(Supplier<List<SessionRow>> sessions, Supplier<List<Tunnel>> tunnels, MeterRegistry registry,
                          Supplier<ServerCertificates> certificates) {
        this(sessions, tunnels, registry, certificates, new RecentRefusals(0));
    }

    /** @param recent the relay's last refusals, listed beside the counters */
    public RelayDashboard(Supplier<List<SessionRow>> sessions, Supplier<List<Tunnel>> tunnels, MeterRegistry registry,
                          Supplier<ServerCertificates> certificates, RecentRefusals recent) {
        this.recent = recent;
        this.certificates = certificates;
        this.sessions = sessions;
        this.tunnels = tunnels;
        this.registry = registry;
    }

    @Override
    public List<SessionRow> sessions() {
        return sessions.get();
    }

    @Override
    public List<TunnelRow> tunnels() {
        List<SessionRow> live = sessions.get();
        List<TunnelRow> rows = new ArrayList<>();
        for (Tunnel t : tunnels.get()) {
            String key = t.hostname().isEmpty() ? Integer.toString(t.port()) : t.hostname();
            String kind = t.hostname().isEmpty() ? "tcp" : t.passthrough() ? "tls" : "http";
            String address = t.hostname().isEmpty() ? "port " + t.port() : t.hostname();
            // A pool is one row: its members' sessions and addresses side by side, their streams added up.
            List<SessionRow> members = new ArrayList<>();
            for (var session : t.sessions()) {
                live.stream().filter(r -> r.id().equals(session.id())).findFirst().ifPresent(members::add);
            }
            String sessionIds = String.join(",", members.stream().map(SessionRow::id).toList());
            String clients = String.join(",", members.stream().map(SessionRow::remote).toList());
            int streams = members.stream().mapToInt(SessionRow::openStreams).sum();
            rows.add(new TunnelRow(t.name(), t.pool() ? kind + " pool" : kind, address, t.principal(), sessionIds, clients, t.boundAtMillis(),
                    traffic(key, "in"), traffic(key, "out"), streams));
        }
        return rows;
    }

    private double traffic(String tunnelKey, String direction) {
        FunctionCounter c = registry.find("homeport.tunnel.traffic").tag("tunnel", tunnelKey).tag("direction", direction)
                .functionCounter();
        return c == null ? 0 : c.count();
    }

    @Override
    public List<CertificateRow> certificates() {
        ServerCertificates c = certificates.get();
        List<CertificateRow> rows = new ArrayList<>();
        if (c != null) {
            c.expiries().forEach((name, notAfter) -> rows.add(new CertificateRow(name, notAfter.toEpochMilli())));
        }
        return rows;
    }

    @Override
    public List<RecentRefusals.Entry> recentRefusals() {
        return recent.list();
    }

    @Override
    public List<Refusal> refusals() {
        List<Refusal> rows = new ArrayList<>();
        add(rows, "homeport.connections.throttled", "control connections", "throttled");
        add(rows, "homeport.handshake.failures", "handshakes", null);
        add(rows, "homeport.public.connections.refused", "public connections", null);
        return rows;
    }

    private void add(List<Refusal> rows, String meter, String what, String fixedReason) {
        for (Meter m : registry.find(meter).meters()) {
            double count = 0;
            for (var measurement : m.measure()) {
                count += measurement.getValue();
            }
            String reason = fixedReason != null ? fixedReason : m.getId().getTag("reason");
            rows.add(new Refusal(what, reason == null ? "-" : reason, count));
        }
    }
}
