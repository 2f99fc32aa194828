package org.crossdept.engine.audience;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.persistence.deploy.cache.DeploymentCache;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.ExtensionElements;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;

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
 * <p>A deployed definition never changes, so the declaration is read from its BPMN model once and
 * kept per definition id (the cache grows only with deployments).
 */
public record AudienceDeclaration(String processKey, String groupsVariable, String usersVariable) {

  public static final String GROUPS_PROPERTY = "audienceGroupsVariable";
  public static final String USERS_PROPERTY = "audienceUsersVariable";

  private static final Map<String, AudienceDeclaration> BY_DEFINITION = new ConcurrentHashMap<>();

  /** The declaration of the process definition {@code processDefinitionId} (inside a command). */
  public static AudienceDeclaration of(String processDefinitionId) {
    if (processDefinitionId == null) {
      return new AudienceDeclaration(null, null, null);
    }
    return BY_DEFINITION.computeIfAbsent(processDefinitionId, AudienceDeclaration::read);
  }

  public boolean isDeclared() {
    return groupsVariable != null || usersVariable != null;
  }

  /** Whether {@code variableName} is one of the audience variables. */
  public boolean names(String variableName) {
    return variableName != null && (variableName.equals(groupsVariable) || variableName.equals(usersVariable));
  }

  private static AudienceDeclaration read(String processDefinitionId) {
    DeploymentCache cache = Context.getProcessEngineConfiguration().getDeploymentCache();
    ProcessDefinitionEntity definition = cache.findDeployedProcessDefinitionById(processDefinitionId);
    BpmnModelInstance model = cache.findBpmnModelInstanceForProcessDefinition(processDefinitionId);
    Process process = model == null ? null : model.getModelElementById(definition.getKey());
    ExtensionElements extensions = process == null ? null : process.getExtensionElements();
    String groups = null;
    String users = null;
    if (extensions != null) {
      for (CamundaProperties properties : extensions.getElementsQuery().filterByType(CamundaProperties.class).list()) {
        for (CamundaProperty property : properties.getCamundaProperties()) {
          String value = property.getCamundaValue() == null ? "" : property.getCamundaValue().trim();
          if (GROUPS_PROPERTY.equals(property.getCamundaName()) && !value.isEmpty()) {
            groups = value;
          } else if (USERS_PROPERTY.equals(property.getCamundaName()) && !value.isEmpty()) {
            users = value;
          }
        }
      }
    }
    return new AudienceDeclaration(definition.getKey(), groups, users);
  }
}
