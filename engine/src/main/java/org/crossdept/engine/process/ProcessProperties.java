package org.crossdept.engine.process;

import java.util.HashMap;
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
 * The {@code camunda:property} entries a process owner puts on the process itself in Modeler (not
 * on one of its elements): where a process declares which of its variables the engine treats
 * specially (its audience, its retention). Blank values count as absent.
 *
 * <p>A deployed definition never changes, so its properties are read from the BPMN model once and
 * kept per definition id (the cache grows only with deployments). Must be called inside a command.
 */
public record ProcessProperties(String processKey, Map<String, String> values) {

  private static final Map<String, ProcessProperties> BY_DEFINITION = new ConcurrentHashMap<>();

  /** The properties of the process definition {@code processDefinitionId}, none for null. */
  public static ProcessProperties of(String processDefinitionId) {
    if (processDefinitionId == null) {
      return new ProcessProperties(null, Map.of());
    }
    return BY_DEFINITION.computeIfAbsent(processDefinitionId, ProcessProperties::read);
  }

  /** The trimmed value of property {@code name}, or null if the process does not declare it. */
  public String get(String name) {
    return values.get(name);
  }

  private static ProcessProperties read(String processDefinitionId) {
    DeploymentCache cache = Context.getProcessEngineConfiguration().getDeploymentCache();
    ProcessDefinitionEntity definition = cache.findDeployedProcessDefinitionById(processDefinitionId);
    BpmnModelInstance model = cache.findBpmnModelInstanceForProcessDefinition(processDefinitionId);
    Process process = model == null ? null : model.getModelElementById(definition.getKey());
    ExtensionElements extensions = process == null ? null : process.getExtensionElements();
    Map<String, String> values = new HashMap<>();
    if (extensions != null) {
      for (CamundaProperties properties : extensions.getElementsQuery().filterByType(CamundaProperties.class).list()) {
        for (CamundaProperty property : properties.getCamundaProperties()) {
          String value = property.getCamundaValue() == null ? "" : property.getCamundaValue().trim();
          if (property.getCamundaName() != null && !value.isEmpty()) {
            values.put(property.getCamundaName(), value);
          }
        }
      }
    }
    return new ProcessProperties(definition.getKey(), Map.copyOf(values));
  }
}
