package dev.meshctl.xds.validate;

import com.google.common.net.InetAddresses;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * PGV's well-known string formats, written as character loops so the frequent header checks cost no
 * regex matcher. The HTTP header forms follow PGV's RE2 patterns exactly: strict name {@code
 * ^:?[0-9a-zA-Z!#$%&'*+-.^_|~`]+$} (note {@code +-.} is a range, so {@code ,} passes), strict value
 * {@code ^[^\x00-\x08\x0A-\x1F\x7F]*$}, and for {@code strict: false} both use {@code
 * ^[^\x00\x0A\x0D]*$}. No DNS lookups: IP parsing is textual. Stateless; any thread.
 */
final class WellKnown {
  private WellKnown() {}

  static boolean headerName(String s) {
    int start = !s.isEmpty() && s.charAt(0) == ':' ? 1 : 0;
    if (s.length() == start) {
      return false;
    }
    for (int i = start; i < s.length(); i++) {
      if (!tokenChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean tokenChar(char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      return true;
    }
    if (c >= '+' && c <= '.') {
      return true;
    }
    return switch (c) {
      case '!', '#', '$', '%', '&', '\'', '*', '^', '_', '|', '~', '`' -> true;
      default -> false;
    };
  }

  static boolean headerValue(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c <= 0x08) || (c >= 0x0a && c <= 0x1f) || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** The loose form PGV applies to both names and values when {@code strict} is false. */
  static boolean headerString(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0 || c == '\n' || c == '\r') {
        return false;
      }
    }
    return true;
  }

  static boolean hostname(String s) {
    String h = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    if (h.isEmpty() || h.length() > 253) {
      return false;
    }
    int labelStart = 0;
    for (int i = 0; i <= h.length(); i++) {
      if (i == h.length() || h.charAt(i) == '.') {
        int len = i - labelStart;
        if (len < 1 || len > 63) {
          return false;
        }
        if (h.charAt(labelStart) == '-' || h.charAt(i - 1) == '-') {
          return false;
        }
        labelStart = i + 1;
        continue;
      }
      char c = h.charAt(i);
      boolean ok =
          (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static boolean ip(String s) {
    return InetAddresses.isInetAddress(s);
  }

  static boolean ipv4(String s) {
    return ip(s) && InetAddresses.forString(s).getAddress().length == 4;
  }

  static boolean ipv6(String s) {
    return ip(s) && InetAddresses.forString(s).getAddress().length == 16;
  }

  static boolean address(String s) {
    return ip(s) || hostname(s);
  }

  static boolean email(String s) {
    String addr = s;
    int lt = s.indexOf('<');
    if (lt >= 0 && s.endsWith(">")) {
      addr = s.substring(lt + 1, s.length() - 1);
    }
    if (addr.length() > 254) {
      return false;
    }
    int at = addr.lastIndexOf('@');
    if (at <= 0 || at > 64) {
      return false;
    }
    return hostname(addr.substring(at + 1));
  }

  static boolean uri(String s) {
    try {
      return new URI(s).isAbsolute();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  static boolean uriRef(String s) {
    try {
      new URI(s);
      return true;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  static boolean uuid(String s) {
    if (s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return false;
        }
      } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  /** Length of {@code s} in UTF-8 bytes, without encoding it. */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
