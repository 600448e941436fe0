package dev.meshctl.controlplane.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TallyTest {
  @Test
  void rendersSharesWithBarsSortedByAnswer() {
    Tally t = new Tally(10);
    for (int i = 0; i < 9; i++) {
      t.record("v1");
    }
    t.record("v2");
    assertThat(t.render()).isEqualTo("v1 " + "█".repeat(18) + " 90%  v2 ██ 10%");
  }

  @Test
  void forgetsTheOldestAnswersOnceTheWindowIsFull() {
    Tally t = new Tally(3);
    t.record("v1");
    t.record("v2");
    t.record("v2");
    t.record("UNAVAILABLE");
    assertThat(t.counts())
        .containsExactly(java.util.Map.entry("UNAVAILABLE", 1), java.util.Map.entry("v2", 2));
    assertThat(t.size()).isEqualTo(3);
  }

  @Test
  void aTinyShareStillGetsABarAndAnEmptyTallyRendersNothing() {
    Tally t = new Tally(100);
    assertThat(t.render()).isEmpty();
    for (int i = 0; i < 99; i++) {
      t.record("v1");
    }
    t.record("v2");
    assertThat(t.render()).endsWith("  v2 █ 1%");
    assertThatThrownBy(() -> new Tally(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be positive, got 0");
  }
}
