package dev.homeport.testsupport.programs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test class (or method) starts {@link #value()}, a program from the Debian package {@link #debianPackage()}.
 * Where the program is missing the tests are skipped (a JUnit assumption naming program and package) and listed
 * in the summary at the end of the build; under {@link RequiredPrograms#STRICT_ENV} (set by .ci/run) they fail.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Repeatable(RequiresPrograms.class)
@ExtendWith(RequiredProgramsExtension.class)
public @interface RequiresProgram {
    /** The program's file name, looked up on PATH and in /usr/sbin, /sbin (e.g. "tinyproxy", "sshd"). */
    String value();

    /** The Debian package that installs it (e.g. "jupyter-notebook python3-ipykernel"). */
    String debianPackage();
}
