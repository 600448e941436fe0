package dev.meshctl.injector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorMatcherTest {
  @Test
  void matchLabelsAndExpressions() {
    LabelSelectorMatcher m =
        LabelSelectorMatcher.of(
            new LabelSelectorBuilder()
                .addToMatchLabels("app", "web")
                .addNewMatchExpression()
                .withKey("tier")
                .withOperator("In")
                .withValues("front", "edge")
                .endMatchExpression()
                .addNewMatchExpression()
                .withKey("legacy")
                .withOperator("DoesNotExist")
                .endMatchExpression()
                .build(),
            "config.neverInjectSelector[0]");

    assertThat(m.matches(Map.of("app", "web", "tier", "edge"))).isTrue();
    assertThat(m.matches(Map.of("app", "web", "tier", "back"))).isFalse();
    assertThat(m.matches(Map.of("app", "web", "tier", "edge", "legacy", "y"))).isFalse();
    assertThat(m.matches(Map.of("tier", "edge"))).isFalse();
  }

  @Test
  void emptySelectorMatchesNothing() {
    assertThat(new LabelSelectorMatcher(Map.of(), List.of()).matches(Map.of("a", "b"))).isFalse();
  }

  @Test
  void unknownOperatorIsRejectedWithItsPath() {
    assertThatThrownBy(
            () ->
                LabelSelectorMatcher.of(
                    new LabelSelectorBuilder()
                        .addNewMatchExpression()
                        .withKey("a")
                        .withOperator("Equals")
                        .endMatchExpression()
                        .build(),
                    "config.alwaysInjectSelector[1]"))
        .hasMessage(
            "config.alwaysInjectSelector[1].matchExpressions[0].operator: unknown operator"
                + " \"Equals\" (want In, NotIn, Exists or DoesNotExist)");
  }
}
