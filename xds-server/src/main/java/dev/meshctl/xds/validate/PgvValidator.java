package dev.meshctl.xds.validate;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.meshctl.xds.validate.Plan.FieldPlan;
import dev.meshctl.xds.validate.Plan.ValueSpec;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applies the protoc-gen-validate rules carried in Envoy's descriptors to any resource, the way
 * Envoy does before accepting it, so a resource Envoy would reject is caught before it is sent.
 *
 * <p>The walk is reflective and recursive. A {@code google.protobuf.Any} is unpacked and its
 * content checked too (Envoy validates typed configs when it unpacks them); its type must be
 * declared in the files of the root types given at construction or their imports, else the Any
 * itself is a violation ({@code unknown type URL "..."}). Field paths use proto field names, {@code
 * [i]} for list indexes, {@code ["key"]} for map keys and {@code <full.type.Name>} after an Any
 * field for what is packed in it; see {@link Walk}.
 *
 * <p>Rule kinds implemented: numeric {@code const/lt/lte/gt/gte/in/not_in/ignore_empty} for all
 * twelve integer kinds, float and double; bool {@code const}; every string rule (lengths in code
 * points or bytes, RE2 {@code pattern}, affixes, {@code in}, well-known formats including {@code
 * well_known_regex} with {@code strict}); bytes rules; enum {@code const/defined_only/in/not_in};
 * message {@code required/skip}; repeated {@code min_items/max_items/unique/items/ignore_empty};
 * map {@code min_pairs/max_pairs/no_sparse/keys/ values/ignore_empty}; Any {@code
 * required/in/not_in}; Duration {@code required/const/lt/lte/gt/gte/in/not_in}; Timestamp the same
 * minus {@code lt_now/gt_now/within} (they need a clock); oneof {@code required}; message {@code
 * disabled/ignored}. Anything else is recorded as unsupported in the type's plan and ignored; a
 * test keeps that list empty for every type reachable from Envoy's roots.
 *
 * <p>Per-type plans are compiled once and cached; a valid resource allocates no strings.
 * Thread-safe: any number of threads may call {@link #validate} concurrently.
 */
public final class PgvValidator implements ResourceValidator {
  private static final String ANY = "google.protobuf.Any";

  private final AnyResolver resolver;
  private final ConcurrentHashMap<Descriptor, Plan> plans = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Descriptor, Boolean> needsVisit = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Descriptor, Boolean> localWork = new ConcurrentHashMap<>();

  /** A validator that resolves packed types among {@link EnvoyTypes#ROOTS}. */
  public PgvValidator() {
    this(EnvoyTypes.ROOTS);
  }

  /** A validator that resolves packed types among the files of {@code anyRoots} and imports. */
  public PgvValidator(Collection<Descriptor> anyRoots) {
    this.resolver = new AnyResolver(anyRoots);
  }

  /**
   * A prototype of the type a type URL names ({@code type.googleapis.com/envoy...}), among the
   * roots' files or any generated Envoy, xDS or protobuf class; empty when none is known.
   */
  public java.util.Optional<Message> prototype(String typeUrl) {
    return java.util.Optional.ofNullable(resolver.prototype(typeUrl));
  }

  @Override
  public List<Violation> validate(Message resource) {
    Walk walk = new Walk();
    visitValue(resource, walk);
    return walk.violations();
  }

  /** The compiled plan of a type; package-private for the coverage test. */
  Plan plan(Descriptor type) {
    Plan plan = plans.get(type);
    if (plan == null) {
      // Compiled outside computeIfAbsent: compiling consults other caches, and a racing duplicate
      // compile is harmless because plans are immutable and equal.
      plan = PlanCompiler.compile(type, this::needsVisit);
      Plan raced = plans.putIfAbsent(type, plan);
      if (raced != null) {
        plan = raced;
      }
    }
    return plan;
  }

  AnyResolver resolver() {
    return resolver;
  }

  private void visitValue(Message message, Walk walk) {
    if (message.getDescriptorForType().getFullName().equals(ANY)) {
      visitAny(message, walk);
    } else {
      visitMessage(message, walk);
    }
  }

  private void visitMessage(Message message, Walk walk) {
    Plan plan = plan(message.getDescriptorForType());
    if (plan.disabled()) {
      return;
    }
    for (FieldPlan field : plan.fields()) {
      visitField(message, field, walk);
    }
    OneofDescriptor[] oneofs = plan.requiredOneofs();
    for (int i = 0; i < oneofs.length; i++) {
      if (!message.hasOneof(oneofs[i])) {
        walk.pushName(oneofs[i].getName());
        walk.report(plan.oneofMessages()[i]);
        walk.pop();
      }
    }
  }

  private void visitAny(Message any, Walk walk) {
    Descriptor type = any.getDescriptorForType();
    String typeUrl = (String) any.getField(type.findFieldByNumber(1));
    ByteString value = (ByteString) any.getField(type.findFieldByNumber(2));
    Message prototype = resolver.prototype(typeUrl);
    if (prototype == null) {
      walk.report("unknown type URL " + Values.quote(typeUrl));
      return;
    }
    Message unpacked;
    try {
      unpacked = AnyResolver.unpack(prototype, value);
    } catch (InvalidProtocolBufferException e) {
      walk.report("cannot decode " + Values.quote(typeUrl) + ": " + e.getMessage());
      return;
    }
    walk.pushAnyType(AnyResolver.typeName(typeUrl));
    visitMessage(unpacked, walk);
    walk.pop();
  }

  private void visitField(Message message, FieldPlan plan, Walk walk) {
    FieldDescriptor field = plan.field();
    switch (plan.shape()) {
      case SCALAR -> {
        if (field.hasPresence() && !message.hasField(field)) {
          return;
        }
        walk.pushField(field);
        applyRules(plan.value(), message.getField(field), walk);
        walk.pop();
      }
      case MESSAGE -> {
        if (!message.hasField(field)) {
          if (plan.value().required()) {
            walk.pushField(field);
            walk.report("is required");
            walk.pop();
          }
          return;
        }
        walk.pushField(field);
        checkValue(plan.value(), message.getField(field), walk);
        walk.pop();
      }
      case REPEATED -> visitRepeated(message, plan, walk);
      case MAP -> visitMap(message, plan, walk);
      default -> throw new IllegalStateException("unknown shape " + plan.shape());
    }
  }

  private void visitRepeated(Message message, FieldPlan plan, Walk walk) {
    FieldDescriptor field = plan.field();
    int n = message.getRepeatedFieldCount(field);
    if (n == 0 && plan.ignoreEmpty()) {
      return;
    }
    walk.pushField(field);
    checkCount(plan, n, "item", walk);
    if (plan.unique()) {
      checkUnique(message, field, n, walk);
    }
    for (int i = 0; i < n; i++) {
      walk.pushIndex(i);
      checkValue(plan.value(), message.getRepeatedField(field, i), walk);
      walk.pop();
    }
    walk.pop();
  }

  private void visitMap(Message message, FieldPlan plan, Walk walk) {
    FieldDescriptor field = plan.field();
    int n = message.getRepeatedFieldCount(field);
    if (n == 0 && plan.ignoreEmpty()) {
      return;
    }
    walk.pushField(field);
    checkCount(plan, n, "pair", walk);
    Descriptor entryType = field.getMessageType();
    FieldDescriptor keyField = entryType.findFieldByNumber(1);
    FieldDescriptor valueField = entryType.findFieldByNumber(2);
    for (int i = 0; i < n; i++) {
      Message entry = (Message) message.getRepeatedField(field, i);
      Object key = entry.getField(keyField);
      walk.pushKey(key);
      if (plan.key().rules().length > 0) {
        walk.setMessagePrefix("map key: ");
        applyRules(plan.key(), key, walk);
        walk.setMessagePrefix(null);
      }
      checkValue(plan.value(), entry.getField(valueField), walk);
      walk.pop();
    }
    walk.pop();
  }

  private static void checkCount(FieldPlan plan, int n, String unit, Walk walk) {
    if (plan.minItems() >= 0 && n < plan.minItems()) {
      walk.report(
          "must contain at least "
              + plan.minItems()
              + " "
              + plural(unit, plan.minItems())
              + ", got "
              + n);
    }
    if (plan.maxItems() >= 0 && n > plan.maxItems()) {
      walk.report(
          "must contain at most "
              + plan.maxItems()
              + " "
              + plural(unit, plan.maxItems())
              + ", got "
              + n);
    }
  }

  private static String plural(String unit, long n) {
    return n == 1 ? unit : unit + "s";
  }

  private static void checkUnique(Message message, FieldDescriptor field, int n, Walk walk) {
    Set<Object> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      Object item = message.getRepeatedField(field, i);
      if (!seen.add(item)) {
        walk.report(
            "items must be unique, got "
                + (item instanceof String s ? Values.quote(s) : String.valueOf(item))
                + " again at ["
                + i
                + "]");
        return;
      }
    }
  }

  /** Rules on a present value, then the walk into it when it is a message worth visiting. */
  private void checkValue(ValueSpec spec, Object value, Walk walk) {
    applyRules(spec, value, walk);
    if (spec.visit()) {
      visitValue((Message) value, walk);
    }
  }

  private static void applyRules(ValueSpec spec, Object value, Walk walk) {
    for (ValueRule rule : spec.rules()) {
      rule.check(value, walk);
    }
  }

  /**
   * Whether messages of this type may hold anything to check: a rule or required oneof in it or in
   * a type reachable from it, or an Any (whose content is unknown until run time).
   */
  private boolean needsVisit(Descriptor type) {
    Boolean known = needsVisit.get(type);
    if (known != null) {
      return known;
    }
    boolean result = reachesWork(type);
    needsVisit.putIfAbsent(type, result);
    return result;
  }

  private boolean reachesWork(Descriptor root) {
    Set<Descriptor> seen = new HashSet<>();
    Deque<Descriptor> queue = new ArrayDeque<>();
    queue.add(root);
    while (!queue.isEmpty()) {
      Descriptor type = queue.poll();
      if (!seen.add(type)) {
        continue;
      }
      if (type.getFullName().equals(ANY)) {
        return true;
      }
      if (PgvOptions.messageDisabledBy(type) != null) {
        continue;
      }
      if (hasLocalWork(type)) {
        return true;
      }
      for (FieldDescriptor field : type.getFields()) {
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          queue.add(field.getMessageType());
        }
      }
    }
    return false;
  }

  private boolean hasLocalWork(Descriptor type) {
    return localWork.computeIfAbsent(
        type,
        t -> {
          for (FieldDescriptor field : t.getFields()) {
            if (PgvOptions.fieldRules(field) != null) {
              return true;
            }
          }
          for (OneofDescriptor oneof : t.getRealOneofs()) {
            if (PgvOptions.oneofRequired(oneof)) {
              return true;
            }
          }
          return false;
        });
  }
}
