package dev.meshctl.ca.store;

import dev.meshctl.ca.CaKeyMaterial;
import dev.meshctl.ca.CaKeyMaterial.Kind;
import dev.meshctl.ca.pki.CertificateIssuer;
import dev.meshctl.ca.pki.Keys;
import dev.meshctl.ca.pki.Pem;
import dev.meshctl.ca.pki.Pem.PemException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the CA's key material, or creates a self-signed root on first start. Two layouts are
 * recognised, by which files are present:
 *
 * <ul>
 *   <li>plugged-in ({@code cacerts}): {@code ca-cert.pem}, {@code ca-key.pem}, {@code
 *       root-cert.pem}, {@code cert-chain.pem}: used as given;
 *   <li>self-signed ({@code istio-ca-secret}): {@code ca-cert.pem} (a self-signed root) and {@code
 *       ca-key.pem}; generated when no file is present and never regenerated afterwards. Root
 *       rotation ({@link #rotate}) adds later generations alongside, {@code gen<N>-ca-key.pem} and
 *       {@code gen<N>-ca-cert.pem} (N &ge; 2), never touching earlier ones: the highest complete
 *       generation signs, and every unexpired generation's root stays in the trust bundle. A
 *       generation with only one of its two files (a rotation interrupted between them) is ignored
 *       with a warning.
 * </ul>
 *
 * Any other combination, a file that does not parse, a key that does not match its certificate, a
 * chain that does not lead to the root, or an expired certificate is a {@link
 * CaKeyMaterialException}. Immutable; any thread.
 */
public final class CaStore {
  public static final String CA_CERT = "ca-cert.pem";
  public static final String CA_KEY = "ca-key.pem";
  public static final String ROOT_CERT = "root-cert.pem";
  public static final String CERT_CHAIN = "cert-chain.pem";

  /** Every file name either layout uses, in a stable order. */
  public static final List<String> FILE_NAMES = List.of(CA_CERT, CA_KEY, ROOT_CERT, CERT_CHAIN);

  /** Istio's default lifetime for a self-signed root (CITADEL_SELF_SIGNED_CA_CERT_TTL). */
  public static final Duration DEFAULT_SELF_SIGNED_TTL = Duration.ofDays(3650);

  private static final Logger log = LoggerFactory.getLogger(CaStore.class);
  private static final Set<String> SELF_SIGNED_SET = Set.of(CA_CERT, CA_KEY);
  private static final Set<String> PLUGGED_IN_SET = Set.copyOf(FILE_NAMES);

  private final String organization;
  private final Duration selfSignedTtl;
  private final Clock clock;
  private final SecureRandom random;

  /**
   * @param organization the self-signed root's {@code O=}; Istio uses the trust domain
   * @param selfSignedTtl lifetime of a generated root
   */
  public CaStore(String organization, Duration selfSignedTtl, Clock clock, SecureRandom random) {
    this.organization = organization;
    this.selfSignedTtl = selfSignedTtl;
    this.clock = clock;
    this.random = random;
  }

  /** Loads the material in {@code source}, generating and persisting a root if it is empty. */
  public CaKeyMaterial loadOrCreate(CaSource source) {
    Map<String, byte[]> files = read(source);
    if (files.isEmpty()) {
      LinkedHashMap<String, byte[]> generated = generateSelfSigned();
      try {
        source.createAll(generated);
      } catch (FileAlreadyExistsException e) {
        throw new CaKeyMaterialException(
            source.location()
                + ": "
                + e.getFile()
                + " appeared while a new self-signed CA was being written (another instance"
                + " starting at the same time?); restart to load what is there now",
            e);
      } catch (IOException e) {
        throw new CaKeyMaterialException(
            source.location() + ": cannot persist the generated CA: " + e.getMessage(), e);
      }
      CaKeyMaterial created = load(read(source), source.location());
      log.info(
          "event=ca_root_generated location={} subject=\"{}\" not_after={}",
          source.location(),
          created.anchor().getSubjectX500Principal().getName(),
          created.anchor().getNotAfter().toInstant());
      return created;
    }
    CaKeyMaterial loaded = load(files, source.location());
    log.info(
        "event=ca_loaded kind={} location={} signer=\"{}\" root_not_after={}",
        loaded.kind(),
        source.location(),
        loaded.signingCertificate().getSubjectX500Principal().getName(),
        loaded.anchor().getNotAfter().toInstant());
    return loaded;
  }

  /**
   * Rotates a self-signed root: generates a new key and root and persists them as the next
   * generation alongside the existing files (nothing is replaced), then loads the result, whose
   * trust bundle holds the new root and every unexpired older one. If another instance wrote that
   * generation first, its material is loaded instead.
   *
   * @throws CaKeyMaterialException if the material is plugged in (never rotated by us), unusable,
   *     or cannot be written
   */
  public CaKeyMaterial rotate(CaSource source) {
    Map<String, byte[]> files = read(source);
    CaKeyMaterial before = load(files, source.location());
    if (before.kind() != Kind.SELF_SIGNED) {
      throw new CaKeyMaterialException(
          source.location()
              + ": a plugged-in CA (cacerts) is never rotated by the control plane; rotate it"
              + " where it was issued and replace the files");
    }
    int gen = RootGenerations.next(files.keySet());
    try {
      source.createAll(
          generateSelfSigned(RootGenerations.keyName(gen), RootGenerations.certName(gen)));
    } catch (FileAlreadyExistsException e) {
      log.info(
          "event=ca_root_rotation_conflict location={} generation={} action=reread",
          source.location(),
          gen);
    } catch (IOException e) {
      throw new CaKeyMaterialException(
          source.location() + ": cannot persist the rotated root: " + e.getMessage(), e);
    }
    CaKeyMaterial after = load(read(source), source.location());
    log.info(
        "event=ca_root_rotated location={} generation={} old_not_after={} new_not_after={}"
            + " bundle_roots={}",
        source.location(),
        gen,
        before.anchor().getNotAfter().toInstant(),
        after.anchor().getNotAfter().toInstant(),
        after.roots().size());
    return after;
  }

  /**
   * Validates and decodes key material given as file name to contents. {@code location} only
   * appears in error messages.
   */
  public CaKeyMaterial load(Map<String, byte[]> files, String location) {
    Set<String> present = new TreeSet<>(files.keySet());
    present.retainAll(FILE_NAMES);
    if (present.equals(PLUGGED_IN_SET)) {
      return loadPluggedIn(files, location);
    }
    if (present.equals(SELF_SIGNED_SET)) {
      return loadSelfSigned(files, location);
    }
    Set<String> missing =
        new TreeSet<>(
            present.contains(ROOT_CERT) || present.contains(CERT_CHAIN)
                ? PLUGGED_IN_SET
                : SELF_SIGNED_SET);
    missing.removeAll(present);
    throw new CaKeyMaterialException(
        location
            + ": incomplete CA key material: found "
            + present
            + ", missing "
            + missing
            + ". A plugged-in CA needs all of "
            + FILE_NAMES
            + "; a self-signed CA needs ["
            + CA_CERT
            + ", "
            + CA_KEY
            + "]. Restore the missing files, or remove the partial set to have a new self-signed"
            + " CA generated (workloads will then need new certificates)");
  }

  private CaKeyMaterial loadSelfSigned(Map<String, byte[]> files, String location) {
    String remedy =
        "restore it from a backup; removing ca-cert.pem and ca-key.pem generates a new root that"
            + " existing workloads do not trust";
    X509Certificate cert = single(location, CA_CERT, files.get(CA_CERT), remedy);
    PrivateKey key = key(location, CA_KEY, files.get(CA_KEY), remedy);
    requireMatch(location, CA_KEY, CA_CERT, key, cert);
    requireCa(location, CA_CERT, cert, remedy);
    if (!isSelfSigned(cert)) {
      throw new CaKeyMaterialException(
          location
              + "/"
              + CA_CERT
              + ": certificate \""
              + subject(cert)
              + "\" is not self-signed, but root-cert.pem and cert-chain.pem are missing; add"
              + " them to plug in an intermediate CA");
    }
    X509Certificate current = cert;
    String currentName = CA_CERT;
    PrivateKey signingKey = key;
    List<X509Certificate> generations = new ArrayList<>(List.of(cert));
    for (int gen : RootGenerations.complete(files, location)) {
      String certName = RootGenerations.certName(gen);
      String keyName = RootGenerations.keyName(gen);
      X509Certificate g = single(location, certName, files.get(certName), remedy);
      PrivateKey gk = key(location, keyName, files.get(keyName), remedy);
      requireMatch(location, keyName, certName, gk, g);
      requireCa(location, certName, g, remedy);
      if (!isSelfSigned(g)) {
        throw new CaKeyMaterialException(
            location
                + "/"
                + certName
                + ": certificate \""
                + subject(g)
                + "\" is not self-signed; "
                + remedy);
      }
      generations.add(g);
      current = g;
      currentName = certName;
      signingKey = gk;
    }
    requireCurrent(location, currentName, current, "the self-signed root");
    // Newest first; an older root stays trusted until it expires, so certificates it signed keep
    // verifying while workloads move to the new root.
    List<X509Certificate> roots = new ArrayList<>();
    Instant now = clock.instant();
    for (int i = generations.size() - 1; i >= 0; i--) {
      X509Certificate g = generations.get(i);
      if (g == current || !now.isAfter(g.getNotAfter().toInstant())) {
        roots.add(g);
      }
    }
    return new CaKeyMaterial(Kind.SELF_SIGNED, current, signingKey, List.of(), current, roots);
  }

  private CaKeyMaterial loadPluggedIn(Map<String, byte[]> files, String location) {
    String remedy = "replace it with the file your CA issued (Istio's cacerts layout)";
    X509Certificate cert = single(location, CA_CERT, files.get(CA_CERT), remedy);
    PrivateKey key = key(location, CA_KEY, files.get(CA_KEY), remedy);
    List<X509Certificate> roots = all(location, ROOT_CERT, files.get(ROOT_CERT), remedy);
    List<X509Certificate> chainFile = all(location, CERT_CHAIN, files.get(CERT_CHAIN), remedy);
    requireMatch(location, CA_KEY, CA_CERT, key, cert);
    requireCa(location, CA_CERT, cert, remedy);
    for (X509Certificate root : roots) {
      requireCa(location, ROOT_CERT, root, remedy);
    }
    requireCurrent(location, CA_CERT, cert, "the CA certificate");
    // cert-chain.pem conventionally holds ca-cert, intermediates and the root; keep the middle.
    List<X509Certificate> intermediates = new ArrayList<>();
    for (X509Certificate c : chainFile) {
      if (c.equals(cert)) {
        continue;
      }
      if (isSelfSigned(c)) {
        if (!roots.contains(c)) {
          throw new CaKeyMaterialException(
              location
                  + "/"
                  + CERT_CHAIN
                  + ": ends in root \""
                  + subject(c)
                  + "\", which root-cert.pem does not contain; put that root in root-cert.pem or"
                  + " fix the chain");
        }
        continue;
      }
      requireCurrent(location, CERT_CHAIN, c, "an intermediate CA certificate");
      intermediates.add(c);
    }
    X509Certificate anchor = ChainVerifier.anchorOf(cert, intermediates, roots, clock.instant());
    if (anchor == null) {
      throw new CaKeyMaterialException(
          location
              + "/"
              + CA_CERT
              + ": certificate \""
              + subject(cert)
              + "\" does not chain to any certificate in root-cert.pem through cert-chain.pem;"
              + " check that the three files come from the same CA");
    }
    requireCurrent(location, ROOT_CERT, anchor, "the root");
    return new CaKeyMaterial(Kind.PLUGGED_IN, cert, key, intermediates, anchor, roots);
  }

  /** A new self-signed root as the files to persist, key first (see {@link #load}). */
  LinkedHashMap<String, byte[]> generateSelfSigned() {
    return generateSelfSigned(CA_KEY, CA_CERT);
  }

  private LinkedHashMap<String, byte[]> generateSelfSigned(String keyName, String certName) {
    KeyPair keys = Keys.rsa(Keys.RSA_BITS, random);
    Instant now = clock.instant();
    X509Certificate root =
        CertificateIssuer.selfSignedCa(keys, organization, now, now.plus(selfSignedTtl), random);
    LinkedHashMap<String, byte[]> out = new LinkedHashMap<>();
    // The key is written first: if we stop in between, the half-present set is reported, and a
    // certificate without its key can never be mistaken for a usable CA.
    out.put(keyName, Pem.encode(keys.getPrivate()).getBytes(StandardCharsets.US_ASCII));
    out.put(certName, Pem.encode(root).getBytes(StandardCharsets.US_ASCII));
    return out;
  }

  private static Map<String, byte[]> read(CaSource source) {
    try {
      return source.read();
    } catch (IOException e) {
      throw new CaKeyMaterialException(
          source.location() + ": cannot read CA key material: " + e.getMessage(), e);
    }
  }

  private static X509Certificate single(String loc, String file, byte[] pem, String remedy) {
    List<X509Certificate> certs = all(loc, file, pem, remedy);
    if (certs.size() != 1) {
      throw new CaKeyMaterialException(
          loc + "/" + file + ": expected one certificate, found " + certs.size() + "; " + remedy);
    }
    return certs.get(0);
  }

  private static List<X509Certificate> all(String loc, String file, byte[] pem, String remedy) {
    try {
      return Pem.certificates(pem);
    } catch (PemException e) {
      throw new CaKeyMaterialException(loc + "/" + file + ": " + e.getMessage() + "; " + remedy, e);
    }
  }

  private static PrivateKey key(String loc, String file, byte[] pem, String remedy) {
    try {
      return Pem.privateKey(pem);
    } catch (PemException e) {
      throw new CaKeyMaterialException(loc + "/" + file + ": " + e.getMessage() + "; " + remedy, e);
    }
  }

  private static void requireMatch(
      String loc, String keyFile, String certFile, PrivateKey key, X509Certificate cert) {
    if (!Keys.matches(key, cert.getPublicKey())) {
      throw new CaKeyMaterialException(
          loc
              + "/"
              + keyFile
              + ": private key does not match the certificate in "
              + certFile
              + " (\""
              + subject(cert)
              + "\"); put the key that belongs to that certificate there");
    }
  }

  private static void requireCa(String loc, String file, X509Certificate cert, String remedy) {
    boolean[] usage = cert.getKeyUsage();
    boolean canSign = usage == null || (usage.length > 5 && usage[5]);
    if (cert.getBasicConstraints() < 0 || !canSign) {
      throw new CaKeyMaterialException(
          loc
              + "/"
              + file
              + ": certificate \""
              + subject(cert)
              + "\" is not a CA certificate (basicConstraints CA and keyUsage keyCertSign are"
              + " required); "
              + remedy);
    }
  }

  private void requireCurrent(String loc, String file, X509Certificate cert, String what) {
    Instant now = clock.instant();
    if (now.isAfter(cert.getNotAfter().toInstant())) {
      throw new CaKeyMaterialException(
          loc
              + "/"
              + file
              + ": "
              + what
              + " \""
              + subject(cert)
              + "\" expired at "
              + cert.getNotAfter().toInstant()
              + "; plug in a current CA (or, for a self-signed CA, remove ca-cert.pem and"
              + " ca-key.pem to generate a new root, which workloads must then be given)");
    }
    if (now.isBefore(cert.getNotBefore().toInstant())) {
      throw new CaKeyMaterialException(
          loc
              + "/"
              + file
              + ": "
              + what
              + " \""
              + subject(cert)
              + "\" is not valid before "
              + cert.getNotBefore().toInstant()
              + "; check this machine's clock");
    }
  }

  static boolean isSelfSigned(X509Certificate c) {
    if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
      return false;
    }
    try {
      c.verify(c.getPublicKey());
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static String subject(X509Certificate c) {
    return c.getSubjectX500Principal().getName();
  }
}
