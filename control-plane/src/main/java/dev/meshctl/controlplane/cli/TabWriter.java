package dev.meshctl.controlplane.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Aligned text tables as Go's {@code text/tabwriter} prints them for istioctl (space padding, no
 * minimum width): every cell but a row's last is padded to its column's widest cell plus {@code
 * padding} spaces; the last cell is printed as is. So the output lines up with istioctl's byte for
 * byte. Not thread-safe; one per table.
 */
final class TabWriter {
  private final int padding;
  private final List<List<String>> rows = new ArrayList<>();

  TabWriter(int padding) {
    this.padding = padding;
  }

  TabWriter row(String... cells) {
    rows.add(List.of(cells));
    return this;
  }

  TabWriter row(List<String> cells) {
    rows.add(List.copyOf(cells));
    return this;
  }

  /** The table, one line per row, each ending with a newline. */
  String render() {
    List<Integer> widths = new ArrayList<>();
    for (List<String> r : rows) {
      for (int i = 0; i < r.size() - 1; i++) {
        int w = r.get(i).codePointCount(0, r.get(i).length());
        if (i == widths.size()) {
          widths.add(w);
        } else if (w > widths.get(i)) {
          widths.set(i, w);
        }
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        String cell = r.get(i);
        out.append(cell);
        if (i < r.size() - 1) {
          out.append(" ".repeat(widths.get(i) + padding - cell.codePointCount(0, cell.length())));
        }
      }
      out.append('\n');
    }
    return out.toString();
  }
}
