package dev.homeport.server;

/** An inclusive range of public TCP ports, written {@code LO-HI} (or a single {@code PORT}). */
public record PortRange(int low, int high) {
    public PortRange {
        if (low < 1 || high > 65535 || low > high) {
            throw new IllegalArgumentException("port range must be LO-HI with 1 <= LO <= HI <= 65535, got " + low + "-" + high);
        }
    }

    public static PortRange parse(String text) {
        String s = text == null ? "" : text.trim();
        int dash = s.indexOf('-');
        try {
            if (dash < 0) {
                int p = Integer.parseInt(s);
                return new PortRange(p, p);
            }
            return new PortRange(Integer.parseInt(s.substring(0, dash).trim()), Integer.parseInt(s.substring(dash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port range must be LO-HI, e.g. 20000-20100, got '" + text + "'");
        }
    }

    public boolean contains(int port) {
        return port >= low && port <= high;
    }

    public int size() {
        return high - low + 1;
    }

    @Override
    public String toString() {
        return low == high ? Integer.toString(low) : low + "-" + high;
    }
}
