package dev.meshctl.controlplane.security;

import dev.meshctl.ca.server.TokenReviewer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * DEV ONLY ({@code --insecure-ca-tokens}): bearer tokens from a file, for demos without a cluster.
 * Each non-blank, non-{@code #} line is {@code token namespace serviceaccount}; a listed token is
 * accepted for any audience asked as that service account, anything else is rejected. There is no
 * expiry, signature or binding: whoever reads the file can be anyone in it. Immutable; any thread.
 */
public final class StaticTokenReviewer implements TokenReviewer {
  private final Map<String, String> users;

  private StaticTokenReviewer(Map<String, String> users) {
    this.users = Map.copyOf(users);
  }

  /**
   * Reads the file.
   *
   * @throws IllegalArgumentException naming the file and line when a line is malformed
   */
  public static StaticTokenReviewer load(Path file) throws IOException {
    Map<String, String> users = new HashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+");
      if (f.length != 3) {
        throw new IllegalArgumentException(
            file
                + ":"
                + (i + 1)
                + ": want 'token namespace serviceaccount', got "
                + f.length
                + " fields");
      }
      users.put(f[0], "system:serviceaccount:" + f[1] + ":" + f[2]);
    }
    return new StaticTokenReviewer(users);
  }

  @Override
  public Review review(String token, List<String> audiences) {
    String user = users.get(token);
    return user == null
        ? new Review(false, "", List.of(), "token not listed in --insecure-ca-tokens")
        : new Review(true, user, audiences, "");
  }
}
