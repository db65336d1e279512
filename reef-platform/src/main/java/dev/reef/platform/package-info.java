/**
 * Cross-cutting wiring every module relies on: Reef's configuration ({@link dev.reef.platform.ReefProperties}),
 * the database (embedded H2 or PostgreSQL) with a transaction manager that hands the data scope to row-level
 * security, and the translation of every error into an RFC 9457 problem response.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Platform")
package dev.reef.platform;
