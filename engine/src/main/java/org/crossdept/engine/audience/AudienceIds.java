package org.crossdept.engine.audience;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import org.camunda.bpm.engine.impl.history.event.HistoricVariableUpdateEventEntity;
import org.camunda.bpm.engine.impl.history.event.HistoryEventTypes;
import org.camunda.bpm.engine.variable.value.SerializableValue;
import org.camunda.bpm.engine.variable.value.TypedValue;

/**
 * The ids an audience variable holds: a JSON list of non-empty strings (a Json variable, or a String
 * holding the list's text). "*" is refused: in a Camunda authorization it means every user, which
 * is the opposite of an audience.
 */
public final class AudienceIds {

  private static final ObjectMapper JSON = new ObjectMapper();

  private AudienceIds() {
  }

  /** The ids a variable write sets (none for a removal), from its history event. */
  public static Set<String> written(HistoricVariableUpdateEventEntity event) {
    if (HistoryEventTypes.VARIABLE_INSTANCE_DELETE.getEventName().equals(event.getEventType())) {
      return Collections.emptySet();
    }
    if (event.getByteValue() != null) {
      return parse(new String(event.getByteValue(), StandardCharsets.UTF_8));
    }
    return parse(event.getTextValue());
  }

  /** The ids of a variable's current value, read without deserializing it. */
  public static Set<String> held(TypedValue value) {
    if (value instanceof SerializableValue serializable && serializable.getValueSerialized() != null) {
      return parse(serializable.getValueSerialized());
    }
    return value == null || value.getValue() == null ? Collections.emptySet() : parse(value.getValue().toString());
  }

  /** @throws IllegalArgumentException saying what is wrong with the text */
  static Set<String> parse(String text) {
    if (text == null) {
      return Collections.emptySet();
    }
    JsonNode list;
    try {
      list = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (list == null || list.isNull()) {
      return Collections.emptySet();
    }
    if (!list.isArray()) {
      throw new IllegalArgumentException("not a JSON list of ids but " + list.getNodeType().name().toLowerCase());
    }
    Set<String> ids = new LinkedHashSet<>();
    for (JsonNode id : list) {
      if (!id.isTextual() || id.textValue().isBlank()) {
        throw new IllegalArgumentException("the entry " + id + " is not an id");
      }
      if ("*".equals(id.textValue().trim())) {
        throw new IllegalArgumentException("'*' would mean everyone");
      }
      ids.add(id.textValue().trim());
    }
    return ids;
  }
}
