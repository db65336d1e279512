/**
 * The shared kernel: identifiers, the problem types every API error uses, the data scope that row-level security
 * reads, and the event contract the audit log listens to. Every module may use it; it depends on no module.
 */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package dev.reef.common;
