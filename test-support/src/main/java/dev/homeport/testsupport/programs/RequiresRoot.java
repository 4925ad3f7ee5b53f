package dev.homeport.testsupport.programs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test needs root (chroot, namespaces, installing a package); as a user it is skipped and listed in the
 * build's summary, and under {@link RequiredPrograms#STRICT_ENV} it fails. {@link #value()} says why.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(RequiredProgramsExtension.class)
public @interface RequiresRoot {
    String value();
}
