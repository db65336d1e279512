/**
 * The server-rendered dashboard for tenants and the operator. It uses other modules' public APIs and the same
 * access guard as the REST API; it owns no data.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Dashboard")
package dev.reef.dashboard;
