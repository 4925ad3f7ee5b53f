package dev.homeport.cli.config;

/**
 * A mistake in a config file, already worded for the user as {@code FILE:LINE:COL: what is wrong,
 * what is expected} (or {@code FILE: ...} when no place in the file applies, e.g. it cannot be read).
 */
public final class ConfigError extends RuntimeException {
    public ConfigError(String message) {
        super(message, null, false, false);
    }
}
