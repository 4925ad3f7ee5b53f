package dev.homeport.client.inspect;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the inspector hides unless told to show secrets: credentials in Authorization headers,
 * cookie values, and tokens in URLs (Jupyter's {@code ?token=}). The recorded request keeps them,
 * so a replay still authenticates.
 */
final class SecretMask {
    static final String MASK = "••••••";
    private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "proxy-authorization");
    private static final Set<String> COOKIE_HEADERS = Set.of("cookie", "set-cookie");
    private static final Pattern URL_SECRET =
            Pattern.compile("([?&](?:token|access_token|api_key|apikey|password|_xsrf)=)[^&#]*", Pattern.CASE_INSENSITIVE);
    private static final Pattern COOKIE_VALUE = Pattern.compile("(^|;\\s*)([^=;\\s]+)=[^;]*");

    private SecretMask() {
    }

    static String header(String name, String value) {
        String n = name.toLowerCase(Locale.ROOT);
        if (CREDENTIAL_HEADERS.contains(n)) {
            int space = value.indexOf(' ');
            return space > 0 ? value.substring(0, space) + " " + MASK : MASK;
        }
        if (COOKIE_HEADERS.contains(n)) {
            return COOKIE_VALUE.matcher(value).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + "=" + MASK));
        }
        if (n.equals("x-xsrftoken") || n.equals("x-csrftoken")) {
            return MASK;
        }
        return value;
    }

    static String path(String path) {
        return URL_SECRET.matcher(path).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    }
}
