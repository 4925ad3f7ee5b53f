package dev.homeport.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.TreeSet;

/** The dashboard's JSON: {@code /api/sessions}, {@code /api/tunnels}, {@code /api/certificates}, {@code /api/refusals}, and {@code /api/overview} for the page. */
final class DashboardJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DashboardJson() {
    }

    static ArrayNode sessions(DashboardSource source) {
        ArrayNode a = MAPPER.createArrayNode();
        for (DashboardSource.SessionRow s : source.sessions()) {
            a.addObject().put("id", s.id()).put("token", s.principal()).put("client_address", s.remote())
                    .put("since", s.sinceMillis()).put("open_streams", s.openStreams()).put("bytes_in", s.bytesIn())
                    .put("bytes_out", s.bytesOut()).put("rtt_ms", s.rttMs());
        }
        return a;
    }

    static ArrayNode tunnels(DashboardSource source) {
        ArrayNode a = MAPPER.createArrayNode();
        for (DashboardSource.TunnelRow t : source.tunnels()) {
            a.addObject().put("name", t.name()).put("kind", t.kind()).put("public_address", t.publicAddress())
                    .put("token", t.principal()).put("session", t.session()).put("client_address", t.client())
                    .put("since", t.sinceMillis()).put("bytes_in", (long) t.bytesIn()).put("bytes_out", (long) t.bytesOut())
                    .put("open_streams", t.openStreams());
        }
        return a;
    }

    static ArrayNode certificates(DashboardSource source) {
        ArrayNode a = MAPPER.createArrayNode();
        for (DashboardSource.CertificateRow c : source.certificates()) {
            a.addObject().put("name", c.name()).put("not_after", c.notAfterMillis())
                    .put("not_after_iso", java.time.Instant.ofEpochMilli(c.notAfterMillis()).toString());
        }
        return a;
    }

    static ArrayNode recentRefusals(DashboardSource source) {
        ArrayNode a = MAPPER.createArrayNode();
        for (var r : source.recentRefusals()) {
            a.addObject().put("at", r.atMillis()).put("at_iso", java.time.Instant.ofEpochMilli(r.atMillis()).toString())
                    .put("kind", r.kind()).put("remote_address", r.remote()).put("reason", r.reason());
        }
        return a;
    }

    static ObjectNode overview(DashboardSource source) {
        ObjectNode o = MAPPER.createObjectNode();
        ArrayNode sessions = sessions(source);
        o.set("sessions", sessions);
        o.set("tunnels", tunnels(source));
        TreeSet<String> tokens = new TreeSet<>();
        sessions.forEach(s -> tokens.add(s.path("token").asText()));
        ArrayNode names = o.putArray("tokens");
        tokens.forEach(names::add);
        o.set("certificates", certificates(source));
        ArrayNode refusals = o.putArray("refusals");
        for (DashboardSource.Refusal r : source.refusals()) {
            refusals.addObject().put("what", r.what()).put("reason", r.reason()).put("count", (long) r.count());
        }
        o.set("recent_refusals", recentRefusals(source));
        return o;
    }
}
