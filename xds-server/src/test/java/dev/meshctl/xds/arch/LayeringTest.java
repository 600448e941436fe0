package dev.meshctl.xds.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the model and the translators pure: free of the Kubernetes client, gRPC, metrics and the
 * ADS server, and free of clocks, randomness and file IO, so translation stays a function of the
 * snapshot that tests run in milliseconds.
 */
class LayeringTest {
  private static final String[] PURE = {
    "dev.meshctl.xds.model..",
    "dev.meshctl.xds.proxy..",
    "dev.meshctl.xds.names..",
    "dev.meshctl.xds.translate..",
    "dev.meshctl.xds.validate..",
    "dev.meshctl.xds.print.."
  };

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.meshctl.xds");
  }

  @Test
  void modelAndTranslatorsDoNotUseServersClientsOrMetrics() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage(PURE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.fabric8..",
                "io.grpc..",
                "io.micrometer..",
                "io.prometheus..",
                "dev.meshctl.xds.server..",
                "dev.meshctl.controlplane..")
            .because("translation is a pure function of the snapshot (architecture.md)");
    rule.check(classes);
  }

  @Test
  void xdsServerNeverUsesTheKubernetesClient() {
    noClasses()
        .that()
        .resideInAPackage("dev.meshctl.xds..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.fabric8..", "dev.meshctl.controlplane..")
        .check(classes);
  }

  @Test
  void translatorsReadNoClockNoRandomnessNoFiles() {
    noClasses()
        .that()
        .resideInAnyPackage(PURE)
        .should()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(Math.class, "random")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.Random")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.time.Clock")
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage("java.nio.file..", "java.net.http..", "java.io")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.net.Socket")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.net.URL")
        // InetAddress is fine for parsing literals (validation), but a lookup is DNS IO.
        .orShould()
        .callMethod(java.net.InetAddress.class, "getByName", String.class)
        .orShould()
        .callMethod(java.net.InetAddress.class, "getAllByName", String.class)
        .because("the same snapshot must always give byte-identical xDS")
        .check(classes);
  }
}
