package org.dmp.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph README describes: the edge, the qualifier and partner sync are peers that stand
 * on the taxonomy kernel and the shared runtime, and only the qualifier carries Kafka Streams and
 * RocksDB. This module sees every other one, so the rules are checked here, on the main classes.
 */
class ModuleRulesTest {
  private static final String EDGE = "org.dmp.edge..";
  private static final String QUALIFIER = "org.dmp.qualifier..";
  private static final String SYNC = "org.dmp.sync..";
  private static final String CLI = "org.dmp.cli..";
  private static final String INBOUND = "org.dmp.inbound..";
  private static final String CONSOLE = "org.dmp.console..";

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.dmp");
  }

  @Test
  void theServicesArePeers() {
    List<String> services = List.of(EDGE, QUALIFIER, SYNC, INBOUND, CONSOLE);
    for (String service : services) {
      List<String> others = new ArrayList<>(services);
      others.remove(service);
      others.add(CLI);
      noClasses()
          .that()
          .resideInAPackage(service)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(others.toArray(String[]::new))
          .check(classes);
    }
  }

  @Test
  void noServiceCarriesTheSamplePartner() {
    // The sample partner is the demo's and the tests' stand-in for a partner, not part of any
    // service.
    noClasses()
        .that()
        .resideInAnyPackage(
            EDGE, QUALIFIER, SYNC, INBOUND, CONSOLE, "org.dmp.taxonomy..", "org.dmp.runtime..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.dmp.partner..")
        .check(classes);
  }

  @Test
  void theKernelKnowsNoService() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "org.dmp.taxonomy..", "org.dmp.runtime..", "org.dmp.schemas..", "org.dmp.config..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(EDGE, QUALIFIER, SYNC, INBOUND, CONSOLE, CLI)
        .check(classes);
  }

  @Test
  void kafkaClientsAreBuiltInOnePlace() {
    // KafkaClients gives every client the cluster's shared settings (TLS, SASL); one built by hand
    // would miss them.
    noClasses()
        .that()
        .resideOutsideOfPackages("org.dmp.runtime.kafka..", "org.dmp.kafka.embedded..")
        .should()
        .callConstructorWhere(
            JavaCall.Predicates.target(
                HasOwner.Predicates.With.owner(
                    JavaClass.Predicates.assignableTo(KafkaProducer.class)
                        .or(JavaClass.Predicates.assignableTo(KafkaConsumer.class)))))
        .orShould()
        .callMethod(Admin.class, "create", Map.class)
        .orShould()
        .callMethod(Admin.class, "create", Properties.class)
        .check(classes);
  }

  @Test
  void onlyTheQualifierCarriesKafkaStreams() {
    noClasses()
        .that()
        .resideOutsideOfPackages(QUALIFIER, CLI)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.kafka.streams..", "org.rocksdb..")
        .check(classes);
  }

  @Test
  void featurePackagesFormNoCycles() {
    // Within a module, a feature package may use another, but never one that uses it back.
    slices().matching("org.dmp.(*).(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void featurePackagesDoNotReachBackIntoTheirModulesWiring() {
    // A module's top package wires its features together; a feature that imported it would be tied
    // to all the others.
    for (String module : new String[] {"edge", "qualifier", "sync"}) {
      String root = "org.dmp." + module;
      noClasses()
          .that()
          .resideInAPackage(root + "..")
          .and()
          .resideOutsideOfPackage(root)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(root)
          .check(classes);
    }
  }
}
