/**
 * Identity and access: users and password login, sessions, tenant and operator API keys, and the
 * {@link dev.reef.access.AccessGuard} that every endpoint calls first. A caller from another tenant reads as 404.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Access")
package dev.reef.access;
