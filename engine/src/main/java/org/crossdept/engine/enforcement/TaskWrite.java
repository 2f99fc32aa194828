package org.crossdept.engine.enforcement;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import org.camunda.bpm.engine.impl.cmd.CompleteTaskCmd;
import org.camunda.bpm.engine.impl.cmd.HandleTaskBpmnErrorCmd;
import org.camunda.bpm.engine.impl.cmd.HandleTaskEscalationCmd;
import org.camunda.bpm.engine.impl.cmd.PatchTaskVariablesCmd;
import org.camunda.bpm.engine.impl.cmd.RemoveTaskVariablesCmd;
import org.camunda.bpm.engine.impl.cmd.SetTaskVariablesCmd;
import org.camunda.bpm.engine.impl.cmd.SubmitTaskFormCmd;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.value.TypedValue;

/**
 * What a command writes through a user task, read from the fields Camunda 7.24 declares:
 * CompleteTaskCmd (and ResolveTaskCmd, its subclass) {@code taskId, variables};
 * SubmitTaskFormCmd {@code taskId, properties}; HandleTaskBpmnErrorCmd and
 * HandleTaskEscalationCmd {@code taskId, variables}; SetTaskVariablesCmd {@code entityId,
 * variables}; RemoveTaskVariablesCmd {@code entityId, variableNames}; PatchTaskVariablesCmd
 * {@code entityId, variables, deletions} (it runs its set and remove commands directly, not
 * through the interceptors, so it is checked as a whole). {@code works} says whether Camunda checks
 * the caller's right to work on the task (complete) or to update its variables.
 */
record TaskWrite(String taskId, Map<String, ?> values, Collection<String> removals, boolean works) {

  static TaskWrite of(Object command) {
    if (command instanceof CompleteTaskCmd || command instanceof HandleTaskBpmnErrorCmd
        || command instanceof HandleTaskEscalationCmd) {
      return new TaskWrite(text(command, "taskId"), map(command, "variables"), Collections.emptyList(), true);
    }
    if (command instanceof SubmitTaskFormCmd) {
      return new TaskWrite(text(command, "taskId"), map(command, "properties"), Collections.emptyList(), true);
    }
    if (command instanceof SetTaskVariablesCmd) {
      return new TaskWrite(text(command, "entityId"), map(command, "variables"), Collections.emptyList(), false);
    }
    if (command instanceof RemoveTaskVariablesCmd) {
      return new TaskWrite(text(command, "entityId"), Collections.emptyMap(), names(command, "variableNames"), false);
    }
    if (command instanceof PatchTaskVariablesCmd) {
      return new TaskWrite(text(command, "entityId"), map(command, "variables"), names(command, "deletions"), false);
    }
    return null;
  }

  boolean isEmpty() {
    return values.isEmpty() && removals.isEmpty();
  }

  /** The submitted value, typed where the client typed it (REST always does). */
  Object value(String name) {
    if (values instanceof VariableMap variables) {
      return variables.<TypedValue>getValueTyped(name);
    }
    return values.get(name);
  }

  private static String text(Object command, String field) {
    return (String) CommandFields.read(command, field);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> map(Object command, String field) {
    Map<String, ?> values = (Map<String, ?>) CommandFields.read(command, field);
    return values == null ? Collections.emptyMap() : values;
  }

  @SuppressWarnings("unchecked")
  private static Collection<String> names(Object command, String field) {
    Collection<String> names = (Collection<String>) CommandFields.read(command, field);
    return names == null ? Collections.emptyList() : names;
  }
}
