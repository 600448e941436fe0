package dev.meshctl.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshctl.ca.server.TokenReviewer.Review;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev-only token file of {@code --insecure-ca-tokens}. */
class StaticTokenReviewerTest {
  @TempDir Path dir;

  @Test
  void listedTokensAreTheirServiceAccountsAndOthersAreRejected() throws Exception {
    Path file = dir.resolve("tokens");
    Files.writeString(file, "# demo\n\nabc shop reviews\n  def   shop ratings \n");
    StaticTokenReviewer r = StaticTokenReviewer.load(file);

    assertThat(r.review("abc", List.of("istio-ca")))
        .isEqualTo(new Review(true, "system:serviceaccount:shop:reviews", List.of("istio-ca"), ""));
    assertThat(r.review("def", List.of("istio-ca")).username())
        .isEqualTo("system:serviceaccount:shop:ratings");
    assertThat(r.review("nope", List.of("istio-ca")))
        .isEqualTo(new Review(false, "", List.of(), "token not listed in --insecure-ca-tokens"));
  }

  @Test
  void aMalformedLineNamesFileAndLine() throws Exception {
    Path file = dir.resolve("tokens");
    Files.writeString(file, "abc shop reviews\nonly-two fields\n");
    assertThatThrownBy(() -> StaticTokenReviewer.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(file + ":2: want 'token namespace serviceaccount', got 2 fields");
  }
}
