package org.crossdept.engine.enforcement;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.camunda.bpm.engine.form.CamundaFormRef;
import org.camunda.bpm.engine.form.FormData;
import org.camunda.bpm.engine.form.FormField;
import org.camunda.bpm.engine.form.TaskFormData;
import org.camunda.bpm.engine.impl.cmd.GetCamundaFormDefinitionCmd;
import org.camunda.bpm.engine.impl.form.handler.StartFormHandler;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ResourceEntity;
import org.camunda.bpm.engine.impl.persistence.entity.TaskEntity;
import org.camunda.bpm.engine.impl.task.TaskDefinition;
import org.camunda.bpm.engine.repository.CamundaFormDefinition;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.ExtensionElements;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;

/**
 * Finds a user task's form (or a process's start form) as Tasklist does (the task form handler resolves camunda:formRef with
 * its binding, or a camunda-forms:deployment: form key, or generated camunda:formData fields) and
 * adds the task's {@code allowedVariables} property (comma-separated) for explicit extras.
 *
 * <p>A deployed form never changes, so its parsed fields are cached per deployment id and form
 * key; the cache grows only with deployments of forms. The property is read from the BPMN model
 * instance, which the engine's deployment cache already keeps.
 */
final class FormFieldsCache {

  static final String ALLOWED_VARIABLES = "allowedVariables";
  private static final String CAMUNDA_FORMS = "camunda-forms:";
  private static final String DEPLOYMENT = "deployment:";

  private final Map<String, FormSchema> forms = new ConcurrentHashMap<>();

  TaskFields fieldsOf(TaskEntity task, CommandContext commandContext) {
    TaskDefinition definition = task.getTaskDefinition();
    TaskFormData formData = definition == null ? null : definition.getTaskFormHandler().createTaskForm(task);
    return fieldsOf(formData, task.getProcessDefinitionId(), task.getTaskDefinitionKey(), commandContext);
  }

  /** The fields of a process's start form (its none start event), with that event's property. */
  TaskFields startFieldsOf(ProcessDefinitionEntity process, CommandContext commandContext) {
    StartFormHandler handler = process.getStartFormHandler();
    FormData formData = handler == null ? null : handler.createStartFormData(process);
    String startEvent = process.getInitial() == null ? null : process.getInitial().getId();
    return fieldsOf(formData, process.getId(), startEvent, commandContext);
  }

  private TaskFields fieldsOf(FormData formData, String processDefinitionId, String elementId,
                              CommandContext commandContext) {
    Set<String> editable = new HashSet<>();
    Map<String, JsonNode> readOnly = new HashMap<>();
    Map<String, Set<String>> readOnlyColumns = new HashMap<>();
    List<String> sources = new ArrayList<>();
    if (formData != null) {
      FormSchema form = deployedForm(formData, commandContext);
      if (form != null) {
        editable.addAll(form.editable);
        readOnly.putAll(form.readOnly);
        readOnlyColumns.putAll(form.readOnlyColumns);
        sources.add("form " + formName(formData));
      }
      List<FormField> generated = formData.getFormFields();
      if (generated != null && !generated.isEmpty()) {
        generated.forEach(field -> editable.add(field.getId()));
        sources.add("its generated form");
      }
    }
    boolean hasForm = !sources.isEmpty();
    List<String> extras = allowedVariables(processDefinitionId, elementId, commandContext);
    if (!extras.isEmpty()) {
      editable.addAll(extras);
      sources.add("its " + ALLOWED_VARIABLES + " property");
    }
    readOnly.keySet().removeAll(editable);
    String source = sources.isEmpty() ? null : String.join(" and ", sources);
    return new TaskFields(source, hasForm, Collections.unmodifiableSet(editable), Collections.unmodifiableMap(readOnly),
        Collections.unmodifiableMap(readOnlyColumns));
  }

  private FormSchema deployedForm(FormData formData, CommandContext commandContext) {
    CamundaFormRef ref = formData.getCamundaFormRef();
    if (ref != null && ref.getKey() != null) {
      CamundaFormDefinition form = commandContext.runWithoutAuthorization(
          new GetCamundaFormDefinitionCmd(ref, formData.getDeploymentId()));
      if (form == null) {
        return null;
      }
      return cached(form.getDeploymentId(), form.getKey(), form.getResourceName(), commandContext);
    }
    String formKey = formData.getFormKey();
    if (formKey != null) {
      String name = formKey.startsWith(CAMUNDA_FORMS) ? formKey.substring(CAMUNDA_FORMS.length()) : formKey;
      if (name.startsWith(DEPLOYMENT) && name.endsWith(".form")) {
        String resource = name.substring(DEPLOYMENT.length());
        return cached(formData.getDeploymentId(), resource, resource, commandContext);
      }
    }
    return null;
  }

  private FormSchema cached(String deploymentId, String formKey, String resourceName, CommandContext commandContext) {
    return forms.computeIfAbsent(deploymentId + "\n" + formKey, ignored -> {
      ResourceEntity resource = commandContext.getResourceManager()
          .findResourceByDeploymentIdAndResourceName(deploymentId, resourceName);
      return resource == null ? new FormSchema() : FormSchema.parse(resource.getBytes());
    });
  }

  private static String formName(FormData formData) {
    CamundaFormRef ref = formData.getCamundaFormRef();
    return ref != null && ref.getKey() != null ? ref.getKey() : formData.getFormKey();
  }

  private static List<String> allowedVariables(String processDefinitionId, String elementId,
                                               CommandContext commandContext) {
    if (elementId == null) {
      return new ArrayList<>();
    }
    BpmnModelInstance model = commandContext.getProcessEngineConfiguration().getDeploymentCache()
        .findBpmnModelInstanceForProcessDefinition(processDefinitionId);
    BaseElement element = model == null ? null : model.getModelElementById(elementId);
    ExtensionElements extensions = element == null ? null : element.getExtensionElements();
    List<String> names = new ArrayList<>();
    if (extensions == null) {
      return names;
    }
    for (CamundaProperties properties : extensions.getElementsQuery().filterByType(CamundaProperties.class).list()) {
      for (CamundaProperty property : properties.getCamundaProperties()) {
        if (ALLOWED_VARIABLES.equals(property.getCamundaName()) && property.getCamundaValue() != null) {
          for (String name : property.getCamundaValue().split(",")) {
            if (!name.isBlank()) {
              names.add(name.trim());
            }
          }
        }
      }
    }
    return names;
  }
}
