package dev.reef.orchestration;

/** What the agent's owner (or the idle timer) asked for; the reconciler makes it so. */
public enum DesiredState {
  RUNNING,
  STOPPED,
  DELETED;

  public String json() {
    return name().toLowerCase();
  }
}
