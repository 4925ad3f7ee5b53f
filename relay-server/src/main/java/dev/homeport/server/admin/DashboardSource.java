package dev.homeport.server.admin;

import java.util.List;

/** What the admin dashboard shows, read from the running relay at each request. */
public interface DashboardSource {
    /** One client session. */
    record SessionRow(String id, String principal, String remote, long sinceMillis, int openStreams, long bytesIn,
                      long bytesOut, double rttMs) {
    }

    /** One tunnel; {@code client} is empty while it is held for a reconnect; {@code sinceMillis} is when its session bound it. */
    record TunnelRow(String name, String kind, String publicAddress, String principal, String session, String client,
                     long sinceMillis, double bytesIn, double bytesOut, int openStreams) {
    }

    /** A count of refused connections or handshakes since start, by what refused them. */
    record Refusal(String what, String reason, double count) {
    }

    List<SessionRow> sessions();

    List<TunnelRow> tunnels();

    List<Refusal> refusals();

    /** One name a certificate serves on the HTTPS port, and when it expires. */
    record CertificateRow(String name, long notAfterMillis) {
    }

    /** The last refusals, newest first, at most {@code --dashboard-refusals}. */
    default List<dev.homeport.server.admission.RecentRefusals.Entry> recentRefusals() {
        return List.of();
    }

    /** The HTTPS port's certificates; empty without {@code --https}. */
    default List<CertificateRow> certificates() {
        return List.of();
    }
}
