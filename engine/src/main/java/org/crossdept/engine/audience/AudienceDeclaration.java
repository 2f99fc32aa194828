package org.crossdept.engine.audience;

import org.crossdept.engine.process.ProcessProperties;

/**
 * Which variables of a process say who may see its instances (its audience), as the process owner
 * declares them on the process itself in Modeler:
 * <pre>{@code
 * <bpmn:process id="information-sharing" ...>
 *   <bpmn:extensionElements><camunda:properties>
 *     <camunda:property name="audienceGroupsVariable" value="sharingAudienceGroups"/>
 *     <camunda:property name="audienceUsersVariable" value="sharingAudienceUsers"/>
 *   </camunda:properties></bpmn:extensionElements>
 * }</pre>
 * Each named variable holds a Json list of group ids or user ids. A process that declares neither
 * has no audience: Camunda's and our other grants apply to it unchanged.
 *
 * <p>Read through {@link ProcessProperties}, once per deployed definition.
 */
public record AudienceDeclaration(String processKey, String groupsVariable, String usersVariable) {

  public static final String GROUPS_PROPERTY = "audienceGroupsVariable";
  public static final String USERS_PROPERTY = "audienceUsersVariable";

  /** The declaration of the process definition {@code processDefinitionId} (inside a command). */
  public static AudienceDeclaration of(String processDefinitionId) {
    ProcessProperties properties = ProcessProperties.of(processDefinitionId);
    return new AudienceDeclaration(properties.processKey(), properties.get(GROUPS_PROPERTY),
        properties.get(USERS_PROPERTY));
  }

  public boolean isDeclared() {
    return groupsVariable != null || usersVariable != null;
  }

  /** Whether {@code variableName} is one of the audience variables. */
  public boolean names(String variableName) {
    return variableName != null && (variableName.equals(groupsVariable) || variableName.equals(usersVariable));
  }
}
