package dev.homeport.testsupport.programs;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Evaluates {@link RequiresProgram} and {@link RequiresRoot} on a test class or method before it runs. A condition,
 * not an assumption in a callback: Maven reports a disabled class as skipped tests, but an aborted {@code @BeforeAll}
 * as no tests at all. On CI ({@link RequiredPrograms#strict()}) a missing program throws, which fails the test.
 */
final class RequiredProgramsExtension implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<AnnotatedElement> element = context.getElement();
        if (element.isEmpty() || context.getTestClass().isEmpty()) {
            return ConditionEvaluationResult.enabled("not a test class or method");
        }
        String test = context.getRequiredTestClass().getSimpleName();
        List<SkipList.Entry> missing = new ArrayList<>();
        for (RequiresProgram p : AnnotationSupport.findRepeatableAnnotations(element.get(), RequiresProgram.class)) {
            if (RequiredPrograms.find(p.value()).isEmpty()) {
                missing.add(new SkipList.Entry(p.value(), p.debianPackage(), test));
            }
        }
        AnnotationSupport.findAnnotation(element.get(), RequiresRoot.class)
                .filter(r -> !RequiredPrograms.isRoot())
                .ifPresent(r -> missing.add(new SkipList.Entry(SkipList.ROOT, r.value(), test)));
        if (!missing.isEmpty() && element.get() instanceof Class<?> testClass) {
            // The class is skipped whole: name its methods' needs too, so one apt-get line brings everything.
            for (Method m : testClass.getDeclaredMethods()) {
                for (RequiresProgram p : AnnotationSupport.findRepeatableAnnotations(m, RequiresProgram.class)) {
                    SkipList.Entry e = new SkipList.Entry(p.value(), p.debianPackage(), test);
                    if (RequiredPrograms.find(p.value()).isEmpty() && !missing.contains(e)) {
                        missing.add(e);
                    }
                }
            }
        }
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("every program it needs is installed");
        }
        return ConditionEvaluationResult.disabled(RequiredPrograms.skip(missing));
    }
}
