package org.crossdept.engine.enforcement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.impl.ProcessInstantiationBuilderImpl;
import org.camunda.bpm.engine.impl.cmd.GetDeployedProcessDefinitionCmd;
import org.camunda.bpm.engine.impl.cmd.StartProcessInstanceCmd;
import org.camunda.bpm.engine.impl.cmd.SubmitStartFormCmd;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;

/**
 * A process starts with only its start form's fields (or the names in its start event's
 * {@code allowedVariables} property), the same rule as for a task's completion: otherwise whoever
 * starts a process could hand later steps variables they trust as the model's own (a supervisor,
 * a checklist, a notice time), before any step has written them. A read-only field of the start
 * form may be sent only empty or with its default, since an instance that does not exist yet has
 * no value for it. Starts at other activities are refused altogether ({@link ModelShortcutRule});
 * this covers the start at the start event, by REST {@code /start} and {@code /submit-form}.
 */
final class StartVariablesRule {

  static final String CODE = "ENGINE-CROSSDEPT-08";
  private static final String WHY = ". A process starts with what its start form asks of the person starting it; "
      + "later steps write the rest";

  private final FormFieldsCache forms;

  StartVariablesRule(FormFieldsCache forms) {
    this.forms = forms;
  }

  void check(Object command, CommandContext commandContext) {
    Map<String, Object> variables;
    ProcessDefinitionEntity process;
    if (command instanceof StartProcessInstanceCmd) {
      ProcessInstantiationBuilderImpl builder =
          (ProcessInstantiationBuilderImpl) CommandFields.read(command, "instantiationBuilder");
      variables = builder.getVariables();
      if (variables == null || variables.isEmpty()) {
        return;
      }
      process = commandContext.runWithoutAuthorization(new GetDeployedProcessDefinitionCmd(builder, false));
    } else if (command instanceof SubmitStartFormCmd) {
      @SuppressWarnings("unchecked")
      Map<String, Object> submitted = (Map<String, Object>) CommandFields.read(command, "variables");
      variables = submitted;
      if (variables == null || variables.isEmpty()) {
        return;
      }
      String id = (String) CommandFields.read(command, "processDefinitionId");
      process = commandContext.getProcessEngineConfiguration().getDeploymentCache()
          .findDeployedProcessDefinitionById(id);
    } else {
      return;
    }
    if (process == null) {
      return; // the command itself says which definition is missing
    }
    TaskFields fields = forms.startFieldsOf(process, commandContext);
    List<String> refused = new ArrayList<>();
    for (Map.Entry<String, Object> variable : variables.entrySet()) {
      String name = variable.getKey();
      if (fields.isEditable(name)) {
        continue;
      }
      if (!fields.isReadOnly(name)) {
        refused.add("'" + name + "' (" + (fields.source() == null ? "the process has no start form"
            : "not a field of its " + fields.source()) + ")");
      } else if (!SameValue.same(variable.getValue(), null, fields.readOnly().get(name))) {
        refused.add("'" + name + "' (read-only on its " + fields.source() + ": a start cannot set it)");
      }
    }
    if (!refused.isEmpty()) {
      String name = process.getName() == null ? "" : " (" + process.getName() + ")";
      throw new TaskVariablesRefusedException(CODE + " process " + process.getKey() + name
          + " starts only with its start form's fields: refused variable" + (refused.size() > 1 ? "s " : " ")
          + String.join(", ", refused) + WHY);
    }
  }
}
