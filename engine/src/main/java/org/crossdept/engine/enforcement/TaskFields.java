package org.crossdept.engine.enforcement;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;

/**
 * What a user task accepts from a non-administrator: its form's editable fields plus the names in
 * its {@code allowedVariables} property, and its form's read-only fields (only unchanged).
 * {@code readOnlyColumns} are a dynamic list's read-only columns, by list variable.
 * {@code hasForm} is false when only the property names variables. {@code source} names where
 * the list comes from, for people reading a refusal.
 */
record TaskFields(String source, boolean hasForm, Set<String> editable, Map<String, JsonNode> readOnly,
                  Map<String, Set<String>> readOnlyColumns) {

  boolean isEditable(String name) {
    return editable.contains(name);
  }

  boolean isReadOnly(String name) {
    return readOnly.containsKey(name);
  }
}
