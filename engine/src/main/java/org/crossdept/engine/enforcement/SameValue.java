package org.crossdept.engine.enforcement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.Comparator;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.camunda.bpm.engine.variable.value.SerializableValue;
import org.camunda.bpm.engine.variable.value.TypedValue;

/**
 * Whether a submitted value equals the value a variable already has, as JSON: Tasklist sends
 * numbers, strings and booleans untyped and lists and objects as Json strings, while the instance
 * may hold a Long, a Spin Json value or a JSON-serialized object. Numbers compare by value
 * (5 equals 5.0 and a Long 5). A variable that is absent or empty (null, "", false, [], {}) counts
 * as equal to an empty submission or to the form component's defaultValue: form-js submits one of
 * these for a read-only field with no value, and leaves out or empties a field its condition hides.
 * A Date variable shown in a text field comes back as text, which equals it when it names the same
 * instant (see {@link SameInstant}).
 */
final class SameValue {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  };

  private SameValue() {
  }

  static boolean same(Object submitted, TypedValue current, JsonNode defaultValue) {
    JsonNode sent = toJson(submitted);
    if (current != null && current.getValue() instanceof Date date && sent.isTextual()) {
      return SameInstant.of(sent.textValue(), date);
    }
    JsonNode held = toJson(current);
    if (isEmpty(held)) {
      return isEmpty(sent) || sent.equals(NUMBERS_BY_VALUE, held) || sent.equals(NUMBERS_BY_VALUE, defaultValue);
    }
    return sent.equals(NUMBERS_BY_VALUE, held);
  }

  /**
   * For a dynamic list: the first submitted row whose non-empty read-only columns match no row
   * the instance has, described as "row 2's camundaTaskId 'X'", or null when every row is fine.
   * New rows leave read-only columns empty; values that are not lists of rows are for the step's
   * own checks.
   */
  static String rowNotFromInstance(Object submitted, TypedValue current, Set<String> columns) {
    JsonNode sent = toJson(submitted);
    JsonNode held = toJson(current);
    if (!sent.isArray()) {
      return null;
    }
    for (int index = 0; index < sent.size(); index++) {
      JsonNode row = sent.get(index);
      Map<String, JsonNode> given = new TreeMap<>();
      for (String column : columns) {
        JsonNode value = row.path(column);
        if (!value.isMissingNode() && !isEmpty(value)) {
          given.put(column, value);
        }
      }
      if (!given.isEmpty() && !anyRowHas(held, given)) {
        Map.Entry<String, JsonNode> first = given.entrySet().iterator().next();
        return "row " + (index + 1) + "'s " + first.getKey() + " " + first.getValue()
            + " is in no row the instance has";
      }
    }
    return null;
  }

  private static boolean anyRowHas(JsonNode rows, Map<String, JsonNode> given) {
    if (!rows.isArray()) {
      return false;
    }
    for (JsonNode row : rows) {
      boolean matches = true;
      for (Map.Entry<String, JsonNode> column : given.entrySet()) {
        matches &= row.path(column.getKey()).equals(NUMBERS_BY_VALUE, column.getValue());
      }
      if (matches) {
        return true;
      }
    }
    return false;
  }

  private static boolean isEmpty(JsonNode node) {
    return node.isNull() || (node.isTextual() && node.textValue().isEmpty())
        || (node.isBoolean() && !node.booleanValue()) || (node.isContainerNode() && node.isEmpty());
  }

  private static JsonNode toJson(Object value) {
    if (value instanceof TypedValue typed) {
      if (typed instanceof SerializableValue serializable && serializable.getValueSerialized() != null) {
        return parseOrText(serializable.getValueSerialized());
      }
      return toJson(typed.getValue());
    }
    if (value == null) {
      return NullNode.getInstance();
    }
    if (value instanceof Date date) {
      return TextNode.valueOf(date.toInstant().toString());
    }
    if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean
        || value instanceof java.util.Map || value instanceof java.util.Collection) {
      return JSON.valueToTree(value);
    }
    // A deserialized Spin JSON node or another object: its text is JSON for the types forms use.
    return parseOrText(value.toString());
  }

  private static JsonNode parseOrText(String text) {
    try {
      JsonNode parsed = JSON.readTree(text);
      return parsed == null ? TextNode.valueOf(text) : parsed;
    } catch (IOException e) {
      return TextNode.valueOf(text);
    }
  }
}
