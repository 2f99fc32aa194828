package org.crossdept.engine.retention;

import org.crossdept.engine.process.ProcessProperties;

/**
 * Which variable of a process says how many days its history is kept after it ends, as the
 * process owner declares it on the process itself in Modeler:
 * <pre>{@code
 * <bpmn:process id="information-sharing" camunda:historyTimeToLive="P3650D" ...>
 *   <bpmn:extensionElements><camunda:properties>
 *     <camunda:property name="retentionDaysVariable" value="retentionDays"/>
 *   </camunda:properties></bpmn:extensionElements>
 * }</pre>
 * A process that does not declare one keeps its history for its historyTimeToLive, as Camunda does.
 */
public record RetentionDeclaration(String processKey, String variable) {

  public static final String PROPERTY = "retentionDaysVariable";

  /** The declaration of the process definition {@code processDefinitionId} (inside a command). */
  public static RetentionDeclaration of(String processDefinitionId) {
    ProcessProperties properties = ProcessProperties.of(processDefinitionId);
    return new RetentionDeclaration(properties.processKey(), properties.get(PROPERTY));
  }

  public boolean isDeclared() {
    return variable != null;
  }

  /** Whether {@code variableName} is the retention variable. */
  public boolean names(String variableName) {
    return variable != null && variable.equals(variableName);
  }
}
