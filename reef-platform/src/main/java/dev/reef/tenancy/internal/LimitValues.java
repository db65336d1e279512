package dev.reef.tenancy.internal;

import dev.reef.common.InvalidRequestException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.tenancy.LimitName;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Reads a JSON object of limits where "absent" and "null" mean different things (follow the plan vs unlimited),
 * which a plain record cannot tell apart.
 */
final class LimitValues {

  private LimitValues() {}

  static Map<LimitName, String> parse(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new InvalidRequestException("(body)", "must be a JSON object of limits: " + LimitName.names());
    }
    Map<LimitName, String> values = new EnumMap<>(LimitName.class);
    for (Map.Entry<String, JsonNode> field : body.properties()) {
      LimitName name = known(field.getKey());
      JsonNode value = field.getValue();
      if (value.isNull()) {
        values.put(name, null);
      } else if (value.isNumber()) {
        values.put(name, name.normalize(new BigDecimal(value.asString())));
      } else if (value.isString() && name.decimal() && value.asString().matches("-?\\d+(\\.\\d+)?")) {
        values.put(name, name.normalize(new BigDecimal(value.asString())));
      } else {
        throw new InvalidRequestException(name.json(), "must be a number, or null for unlimited");
      }
    }
    return values;
  }

  private static LimitName known(String name) {
    for (LimitName l : LimitName.values()) {
      if (l.json().equals(name)) {
        return l;
      }
    }
    throw new ProblemException(ProblemType.UNKNOWN_FIELD,
        "Unknown field '" + name + "'. Known limits: " + LimitName.names() + ".")
        .with("errors", List.of(new InvalidRequestException.FieldError(name, "unknown field")));
  }
}
