package dev.meshctl.xds.translate;

import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a proxy asked for of one type: everything ({@link Wildcard}) or a set of names ({@link
 * Names}). Immutable.
 */
public sealed interface Subscription permits Subscription.Wildcard, Subscription.Names {

  /** True when a resource of this name is wanted. */
  boolean wants(String name);

  /** Everything the generator produces for the proxy. */
  record Wildcard() implements Subscription {
    @Override
    public boolean wants(String name) {
      return true;
    }
  }

  /** Only the named resources. */
  record Names(SortedSet<String> names) implements Subscription {
    public Names {
      names = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(names));
    }

    @Override
    public boolean wants(String name) {
      return names.contains(name);
    }
  }

  Subscription WILDCARD = new Wildcard();

  static Subscription names(Set<String> names) {
    return new Names(new TreeSet<>(names));
  }
}
