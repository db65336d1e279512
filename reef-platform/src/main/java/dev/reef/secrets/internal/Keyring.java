package dev.reef.secrets.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The master keys Reef knows: one current key that wraps every new data key, and older keys still accepted for
 * unwrapping until a rotation has moved every secret off them. Immutable; a duplicate of a key already present (the
 * same version) is ignored.
 */
record Keyring(MasterKey current, List<MasterKey> previous) {

  Keyring {
    Map<String, MasterKey> distinct = new LinkedHashMap<>();
    previous.stream().filter(k -> !k.version().equals(current.version()))
        .forEach(k -> distinct.putIfAbsent(k.version(), k));
    previous = List.copyOf(distinct.values());
  }

  /** Current first. */
  static Keyring of(List<MasterKey> keys) {
    return new Keyring(keys.getFirst(), keys.subList(1, keys.size()));
  }

  Optional<MasterKey> find(String version) {
    return all().stream().filter(k -> k.version().equals(version)).findFirst();
  }

  /** Current first. */
  List<MasterKey> all() {
    List<MasterKey> all = new ArrayList<>(previous.size() + 1);
    all.add(current);
    all.addAll(previous);
    return all;
  }

  List<String> versions() {
    return all().stream().map(MasterKey::version).toList();
  }

  /** {@code next} becomes current; the old current key stays, for unwrapping, until it is retired. */
  Keyring rotatedTo(MasterKey next) {
    return new Keyring(next, all());
  }

  /** Keeps the current key and those of {@code versions}: the others wrap no secret any more. */
  Keyring retaining(Set<String> versions) {
    return new Keyring(current, previous.stream().filter(k -> versions.contains(k.version())).toList());
  }
}
