package dev.meshctl.crds.schema;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The schema of the {@code status} of every Istio kind: Istio's {@code IstioStatus} message ({@code
 * conditions}, {@code validationMessages}, {@code observedGeneration}), where the control plane
 * reports why an object was not applied. Unknown status fields are preserved, as in Istio's CRDs,
 * so status written by a newer control plane survives. Stateless; any thread.
 */
public final class StatusSchema {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private StatusSchema() {}

  /** A fresh copy of the status schema. */
  public static ObjectNode of() {
    ObjectNode status = object();
    status.put("x-kubernetes-preserve-unknown-fields", true);
    ObjectNode props = status.putObject("properties");

    ObjectNode condition = object();
    ObjectNode c = condition.putObject("properties");
    c.set("type", string("Condition type, e.g. Reconciled"));
    c.set("status", string("True, False or Unknown"));
    c.set("reason", string("One-word CamelCase reason for the last transition"));
    c.set("message", string("Human-readable details of the last transition"));
    c.set("lastProbeTime", dateTime("When the condition was last checked"));
    c.set("lastTransitionTime", dateTime("When the status last changed"));
    c.set("observedGeneration", intOrString("metadata.generation the condition refers to"));
    props.set("conditions", array(condition, "Current state of the object"));

    ObjectNode message = object();
    ObjectNode m = message.putObject("properties");
    ObjectNode type = object();
    ObjectNode t = type.putObject("properties");
    t.set("code", string("Analyzer code, IST followed by four digits"));
    t.set("name", string("Human-readable name of the message type"));
    m.set("type", type);
    m.set("documentationUrl", string("Documentation of this message type"));
    ObjectNode level = string("Severity");
    level.putArray("enum").add("UNKNOWN").add("ERROR").add("WARNING").add("INFO");
    m.set("level", level);
    props.set("validationMessages", array(message, "Problems found in the object"));

    props.set("observedGeneration", intOrString("metadata.generation the status refers to"));
    return status;
  }

  private static ObjectNode object() {
    return JSON.objectNode().put("type", "object");
  }

  private static ObjectNode string(String description) {
    return JSON.objectNode().put("type", "string").put("description", description);
  }

  private static ObjectNode dateTime(String description) {
    return string(description).put("format", "date-time");
  }

  private static ObjectNode array(ObjectNode items, String description) {
    ObjectNode n = JSON.objectNode().put("type", "array").put("description", description);
    n.set("items", items);
    return n;
  }

  /**
   * An integer or a string ({@code x-kubernetes-int-or-string}); the {@code anyOf} of the two types
   * is the only {@code anyOf} structural schemas allow, and the one Istio uses here.
   */
  private static ObjectNode intOrString(String description) {
    ObjectNode n = JSON.objectNode().put("description", description);
    n.put("x-kubernetes-int-or-string", true);
    n.putArray("anyOf")
        .add(JSON.objectNode().put("type", "integer"))
        .add(JSON.objectNode().put("type", "string"));
    return n;
  }
}
