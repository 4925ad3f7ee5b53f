package dev.homeport.client.session;

/** How this client names itself in HELLO, for the relay's logs. */
final class Agent {
    static final String NAME = "homeport-client/" + version() + " java/" + System.getProperty("java.version");

    private Agent() {
    }

    private static String version() {
        String v = Agent.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
