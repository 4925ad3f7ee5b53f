package dev.homeport.server.cli;

import dev.homeport.cli.CliErrors;
import dev.homeport.server.PortRange;
import dev.homeport.server.auth.FileTokenDirectory;
import dev.homeport.server.auth.TokenFile;
import dev.homeport.server.auth.TokenRights;
import dev.homeport.server.cluster.ClusterTokenStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * {@code homeport-server token add|list|revoke}: manages the tokens file, or with {@code --etcd} the cluster's
 * tokens in etcd; a running relay follows either.
 */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manages client tokens and their rights.",
        subcommands = {TokenCommand.Add.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class},
        footer = {"", "Examples:",
                "  homeport-server token add ipad --ports 20000-20010",
                "  homeport-server token add lab --hosts jupyter.example.com,*.lab.example.com",
                "  homeport-server token list",
                "  homeport-server token revoke ipad     # closes its live session at once",
                "  homeport-server token add ipad --etcd https://10.0.0.1:2379 --etcd-ca ca.pem   # a cluster's tokens"})
public final class TokenCommand implements Runnable {
    @CommandLine.ParentCommand
    HomeportServerCommand server;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: add, list or revoke");
    }

    TokenFile file() {
        return new TokenFile(server.tokensFile != null ? server.tokensFile : server.stateDir().resolve("tokens"));
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Creates a token, prints it once, stores only its hash.",
            footer = {"", "Examples:",
                    "  homeport-server token add ipad --ports 20000-20010",
                    "  homeport-server token add ipad --ports 20000-20010 --reserve-port 20003",
                    "  homeport-server token add ipad --reserve-host ipad.example.com",
                    "  homeport-server token add lab --hosts jupyter.example.com,*.lab.example.com"})
    static final class Add implements java.util.concurrent.Callable<Integer> {
        @CommandLine.ParentCommand
        TokenCommand parent;

        @CommandLine.Mixin
        RegistryCliOptions etcd = new RegistryCliOptions();

        @Parameters(index = "0", paramLabel = "NAME", description = "Who holds the token, e.g. the device.")
        String name;

        @Option(names = "--ports", paramLabel = "LO-HI", description = "Public ports the token may bind. Default: any of the relay's.")
        String ports;

        @Option(names = "--hosts", paramLabel = "NAMES", split = ",",
                description = "Host names (or *.domain) the token may bind for HTTP tunnels. Default: none.")
        List<String> hosts;

        @Option(names = "--reserve-port", paramLabel = "PORT", defaultValue = "0",
                description = "A public port kept for this token alone, even while its client is away; its client gets "
                        + "it when it asks for no port in particular. Default: none.")
        int reservePort;

        @Option(names = "--reserve-host", paramLabel = "NAME",
                description = "A full host name (jupyter.example.com) kept for this token alone, even while its client is "
                        + "away; its client's HTTP tunnels get it when they ask for no name in particular. The token may "
                        + "bind it whatever --hosts says. Default: none.")
        String reserveHost;

        @Override
        public Integer call() throws Exception {
            TokenRights rights = new TokenRights(ports == null ? null : PortRange.parse(ports), hosts, reservePort, reserveHost);
            String token;
            String where;
            if (etcd.enabled()) {
                try (ClusterTokenStore store = etcd.openTokens()) {
                    token = store.add(name, rights);
                }
                where = "etcd " + etcd.endpoints + " under " + etcd.prefix;
            } else {
                TokenFile file = parent.file();
                token = file.add(name, rights);
                where = file.path().toString();
            }
            PrintWriter out = parent.spec.commandLine().getOut();
            out.println(token);
            out.flush();
            parent.spec.commandLine().getErr().println("token '" + name + "' added to " + where + " (" + rights.describe()
                    + "); it is shown only now");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Shows tokens, their rights and last use.",
            footer = {"", "Examples:", "  homeport-server token list", "  homeport-server token list --state-dir /var/lib/homeport-server"})
    static final class ListTokens implements java.util.concurrent.Callable<Integer> {
        @CommandLine.ParentCommand
        TokenCommand parent;

        @CommandLine.Mixin
        RegistryCliOptions etcd = new RegistryCliOptions();

        @Override
        public Integer call() throws Exception {
            Map<String, TokenFile.Entry> entries;
            Map<String, String> lastUsed;
            if (etcd.enabled()) {
                try (ClusterTokenStore store = etcd.openTokens()) {
                    entries = store.list();
                }
                // Logins are not written to etcd: that would put a registry call on every handshake.
                lastUsed = Map.of();
            } else {
                TokenFile file = parent.file();
                entries = file.read();
                lastUsed = FileTokenDirectory.readLastUsed(file);
            }
            PrintWriter out = parent.spec.commandLine().getOut();
            out.printf("%-20s %-40s %-25s %s%n", "NAME", "RIGHTS", "CREATED", "LAST USED");
            for (TokenFile.Entry e : entries.values()) {
                out.printf("%-20s %-40s %-25s %s%n", e.name(), e.rights().describe(), e.created(),
                        lastUsed.getOrDefault(e.name(), etcd.enabled() ? "-" : "never"));
                if (TokenFile.isReserved(e.name())) {
                    parent.spec.commandLine().getErr().println("homeport-server: token '" + e.name()
                            + "' is ignored by the relay: the name is reserved for the --token holder;"
                            + " revoke it and add it under another name");
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Removes a token; a running relay closes its live session within a second.",
            footer = {"", "Examples:", "  homeport-server token revoke ipad"})
    static final class Revoke implements java.util.concurrent.Callable<Integer> {
        @CommandLine.ParentCommand
        TokenCommand parent;

        @CommandLine.Mixin
        RegistryCliOptions etcd = new RegistryCliOptions();

        @Parameters(index = "0", paramLabel = "NAME", description = "The token's name, as 'token list' shows it.")
        String name;

        @Override
        public Integer call() throws Exception {
            boolean found;
            String where;
            if (etcd.enabled()) {
                try (ClusterTokenStore store = etcd.openTokens()) {
                    found = store.revoke(name);
                }
                where = "etcd under " + etcd.prefix;
            } else {
                TokenFile file = parent.file();
                found = file.revoke(name);
                where = file.path().toString();
            }
            if (!found) {
                parent.spec.commandLine().getErr().println("homeport-server: no token named '" + name + "' in " + where);
                return CliErrors.FAILURE;
            }
            parent.spec.commandLine().getErr().println("token '" + name + "' revoked");
            return 0;
        }
    }

}
