package dev.meshctl.ca.testing;

import dev.meshctl.ca.pki.Keys;
import dev.meshctl.ca.pki.Pem;
import java.io.IOException;
import java.security.KeyPair;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Builds PEM CSRs the way istio-agent does: an empty subject and one URI SAN with the workload's
 * SPIFFE ID (or none), signed by the new key.
 */
public final class Csrs {
  private Csrs() {}

  /** A CSR for {@code keys} asking for the given URI SANs (none if empty). */
  public static String forUris(KeyPair keys, String... uris) {
    GeneralName[] names = new GeneralName[uris.length];
    for (int i = 0; i < uris.length; i++) {
      names[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uris[i]);
    }
    return build(keys, names);
  }

  /** A CSR for {@code keys} asking for the given general names. */
  public static String build(KeyPair keys, GeneralName... names) {
    try {
      JcaPKCS10CertificationRequestBuilder b =
          new JcaPKCS10CertificationRequestBuilder(new X500Name(""), keys.getPublic());
      if (names.length > 0) {
        ExtensionsGenerator ext = new ExtensionsGenerator();
        ext.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(names));
        b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
      }
      return Pem.encode(
          b.build(
              new JcaContentSignerBuilder(Keys.signatureAlgorithm(keys.getPrivate()))
                  .build(keys.getPrivate())));
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }
}
