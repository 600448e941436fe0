package dev.meshctl.crds.networking;

/**
 * Istio's {@code StringMatch}: at most one of {@code exact}, {@code prefix}, {@code regex} (RE2).
 * {@link Empty} is the YAML {@code {}}; in {@code headers}/{@code withoutHeaders} it means "header
 * present". Immutable.
 */
public sealed interface StringMatch
    permits StringMatch.Exact, StringMatch.Prefix, StringMatch.Regex, StringMatch.Empty {

  /** Matches the whole value. */
  record Exact(String exact) implements StringMatch {}

  /** Matches a prefix of the value. */
  record Prefix(String prefix) implements StringMatch {}

  /** Matches the whole value against an RE2 regular expression. */
  record Regex(String regex) implements StringMatch {}

  /** No member set ({@code {}}). */
  record Empty() implements StringMatch {}
}
