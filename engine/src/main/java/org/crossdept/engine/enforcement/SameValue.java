package org.crossdept.engine.enforcement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.Comparator;
import java.util.Date;
import org.camunda.bpm.engine.variable.value.SerializableValue;
import org.camunda.bpm.engine.variable.value.TypedValue;

/**
 * Whether a submitted value equals the value a variable already has, as JSON: Tasklist sends
 * numbers, strings and booleans untyped and lists and objects as Json strings, while the instance
 * may hold a Long, a Spin Json value or a JSON-serialized object. Numbers compare by value
 * (5 equals 5.0 and a Long 5). A variable that is absent or null counts as equal to an empty
 * submission (null, "", false, [], {}) or to the form component's defaultValue, which is what
 * form-js submits for a read-only field with no value.
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
    JsonNode held = toJson(current);
    if (held.isNull()) {
      return isEmpty(sent) || sent.equals(NUMBERS_BY_VALUE, defaultValue);
    }
    return sent.equals(NUMBERS_BY_VALUE, held);
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
