package dev.meshctl.xds.model;

import java.util.Objects;

/**
 * An Istio revision tag: a MutatingWebhookConfiguration labelled {@code istio.io/tag=<tag>} and
 * {@code istio.io/rev=<revision>} (what {@code istioctl tag set} and the chart's {@code
 * revisionTags} create). Namespaces and config labelled {@code istio.io/rev=<tag>} belong to that
 * revision, so a canary upgrade moves a tag instead of relabelling every namespace. Cluster-scoped;
 * immutable.
 *
 * @param name the webhook configuration's name, e.g. {@code istio-revision-tag-prod}
 * @param tag the tag, e.g. {@code prod}
 * @param revision the revision it points at, e.g. {@code 1-24-0}
 */
public record RevisionTag(String name, String tag, String revision) implements ConfigObject {
  /** The label naming the tag of a webhook configuration. */
  public static final String TAG_LABEL = "istio.io/tag";

  public RevisionTag {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(revision, "revision");
  }

  @Override
  public ConfigKey key() {
    return ConfigKey.of(ConfigKind.REVISION_TAG, "", name);
  }
}
