package dev.homeport.client.cli;

import dev.homeport.cli.BuildInfo;
import picocli.CommandLine;

/** --version: the version and git commit this build was made from (BuildInfo). */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[]{BuildInfo.current().describe("homeport")};
    }
}
