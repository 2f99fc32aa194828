package org.crossdept.engine.enforcement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The variables a Camunda Form (form-js JSON, as deployed in a .form resource) submits: each
 * component's {@code key}, recursively into groups; a dynamic list's (or a group's) {@code path}
 * is one variable holding all its rows; a dotted key or path ("address.street") writes the
 * variable named by its first part. A variable is read-only when every component bound to it is
 * {@code readonly: true} or {@code disabled: true}; a read-only expression ("=...") counts as
 * editable, since only the browser evaluates it. A dynamic list's read-only columns are kept per
 * list variable: its rows may be added, removed and edited, but a read-only column's value must
 * come from a row the instance has (the checklist's camundaTaskId says whose task moves).
 */
final class FormSchema {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Editable variable names. */
  final Set<String> editable = new HashSet<>();
  /** Read-only variable names, with the component's defaultValue (a null node if none). */
  final Map<String, JsonNode> readOnly = new HashMap<>();
  /** Per dynamic-list variable, the keys of its read-only columns (none: not listed). */
  final Map<String, Set<String>> readOnlyColumns = new HashMap<>();

  static FormSchema parse(byte[] formJson) {
    FormSchema schema = new FormSchema();
    try {
      schema.collect(JSON.readTree(formJson).path("components"));
    } catch (IOException e) {
      // Tasklist cannot render it either; the form then allows nothing, which the refusal names.
    }
    schema.readOnly.keySet().removeAll(schema.editable);
    return schema;
  }

  private void collect(JsonNode components) {
    for (JsonNode component : components) {
      String type = component.path("type").asText("");
      String path = component.path("path").asText("");
      String key = component.path("key").asText("");
      if (("dynamiclist".equals(type) || "group".equals(type)) && !path.isEmpty()) {
        editable.add(firstPart(path));
        if ("dynamiclist".equals(type) && path.indexOf('.') < 0) {
          Set<String> columns = new HashSet<>();
          readOnlyKeys(component.path("components"), columns);
          if (!columns.isEmpty()) {
            readOnlyColumns.put(path, columns);
          }
        }
      } else if (component.has("components")) {
        collect(component.path("components"));
      } else if (!key.isEmpty()) {
        String name = firstPart(key);
        if (isTrue(component.path("readonly")) || isTrue(component.path("disabled"))) {
          readOnly.put(name, component.has("defaultValue") ? component.get("defaultValue") : NullNode.getInstance());
        } else {
          editable.add(name);
        }
      }
    }
  }

  private static void readOnlyKeys(JsonNode components, Set<String> columns) {
    for (JsonNode component : components) {
      String key = component.path("key").asText("");
      if (component.has("components") && component.path("path").asText("").isEmpty()) {
        readOnlyKeys(component.path("components"), columns);
      } else if (!key.isEmpty() && key.indexOf('.') < 0
          && (isTrue(component.path("readonly")) || isTrue(component.path("disabled")))) {
        columns.add(key);
      }
    }
  }

  private static boolean isTrue(JsonNode flag) {
    return flag.isBoolean() && flag.booleanValue();
  }

  private static String firstPart(String path) {
    int dot = path.indexOf('.');
    return dot < 0 ? path : path.substring(0, dot);
  }
}
