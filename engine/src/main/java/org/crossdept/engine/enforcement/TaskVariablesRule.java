package org.crossdept.engine.enforcement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.impl.ProcessInstantiationBuilderImpl;
import org.camunda.bpm.engine.impl.cfg.CommandChecker;
import org.camunda.bpm.engine.impl.cmd.GetDeployedProcessDefinitionCmd;
import org.camunda.bpm.engine.impl.cmd.StartProcessInstanceCmd;
import org.camunda.bpm.engine.impl.cmd.SubmitStartFormCmd;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.TaskEntity;

/**
 * What a person may write through a form: a user task's completion only that task's form fields
 * (or the names in its {@code allowedVariables} property), and a read-only field only with the
 * value the instance already has. Otherwise whoever completes a step could set who signs next or whose work moves
 * (supervisorId, giverId, initiator). The same holds for submit-form, BPMN errors and escalations
 * thrown from the task, and for setting or removing variables through the task (local or not). A
 * process start likewise carries only its start form's fields ({@link #checkStart}).
 *
 * <p>Camunda's own authorization check for the command runs first, so someone who may not work on
 * the task gets Camunda's 403, not a description of its form. Standalone tasks (no process) have
 * no model to enforce and are left alone. Nothing is written when a variable is refused: the
 * refusal ends the command before it runs.
 */
final class TaskVariablesRule {

  static final String CODE = "ENGINE-CROSSDEPT-06";
  static final String START_CODE = "ENGINE-CROSSDEPT-08";
  private static final String START_WHY = ". A process starts with what its start form asks of the person starting "
      + "it; later steps write the rest";
  private static final String WHY = ". A task writes only what its form asks of the person completing it, so "
      + "no one can change who acts next or what the record says; an administrator can correct other variables";

  private final FormFieldsCache forms;

  TaskVariablesRule(FormFieldsCache forms) {
    this.forms = forms;
  }

  void check(Object command, CommandContext commandContext) {
    checkTask(command, commandContext);
    checkStart(command, commandContext);
  }

  private void checkTask(Object command, CommandContext commandContext) {
    TaskWrite write = TaskWrite.of(command);
    if (write == null || write.isEmpty() || write.taskId() == null) {
      return;
    }
    TaskEntity task = commandContext.getTaskManager().findTaskById(write.taskId());
    if (task == null || task.getProcessDefinitionId() == null) {
      return; // not found: the command itself says so; standalone task: no model
    }
    for (CommandChecker checker : commandContext.getProcessEngineConfiguration().getCommandCheckers()) {
      if (write.works()) {
        checker.checkTaskWork(task);
      } else {
        checker.checkUpdateTaskVariable(task);
      }
    }
    TaskFields fields = forms.fieldsOf(task, commandContext);
    List<String> refused = new ArrayList<>();
    for (String name : write.values().keySet()) {
      if (fields.isEditable(name)) {
        Set<String> columns = fields.readOnlyColumns().get(name);
        String forged = columns == null ? null
            : SameValue.rowNotFromInstance(write.value(name), task.getVariableTyped(name, false), columns);
        if (forged != null) {
          refused.add("'" + name + "' (" + forged + ": read-only columns of " + fields.source()
              + " keep the values the instance's rows have)");
        }
        continue;
      }
      if (!fields.isReadOnly(name)) {
        refused.add("'" + name + "' (" + notAField(fields) + ")");
      } else if (!SameValue.same(write.value(name), task.getVariableTyped(name, false), fields.readOnly().get(name))) {
        refused.add("'" + name + "' (read-only on " + fields.source() + ": it may be sent only with the value it has)");
      }
    }
    for (String name : write.removals()) {
      if (!fields.isEditable(name)) {
        refused.add("'" + name + "' (removal: " + (fields.isReadOnly(name) ? "read-only on " + fields.source()
            : notAField(fields)) + ")");
      }
    }
    if (!refused.isEmpty()) {
      throw new TaskVariablesRefusedException(message(task, fields, refused));
    }
  }

  /**
   * A process starts with only its start form's fields (or its start event's {@code allowedVariables}),
   * the same rule as a completion: otherwise whoever starts a process could hand later steps variables
   * they trust as the model's own (a supervisor, a checklist, a notice time). A read-only field of the
   * start form may be sent only empty or with its default: an instance not yet started has no value.
   * Starts elsewhere than the start event are refused altogether ({@link ModelShortcutRule}).
   */
  private void checkStart(Object command, CommandContext commandContext) {
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
    List<String> refused = refusedAtStart(variables, forms.startFieldsOf(process, commandContext));
    if (!refused.isEmpty()) {
      throw new TaskVariablesRefusedException(startMessage(process, "", refused));
    }
  }

  /** The variables of {@code variables} a start may not carry, each with the reason, by the start form {@code fields}. */
  static List<String> refusedAtStart(Map<String, ?> variables, TaskFields fields) {
    List<String> refused = new ArrayList<>();
    for (Map.Entry<String, ?> variable : variables.entrySet()) {
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
    return refused;
  }

  /** The 08 refusal of a start of {@code process}; {@code how} says by which event, if not a plain start. */
  static String startMessage(ProcessDefinitionEntity process, String how, List<String> refused) {
    String name = process.getName() == null ? "" : " (" + process.getName() + ")";
    return START_CODE + " process " + process.getKey() + name + " starts only with its start form's fields" + how
        + ": refused variable" + (refused.size() > 1 ? "s " : " ") + String.join(", ", refused) + START_WHY;
  }

  private static String notAField(TaskFields fields) {
    if (fields.source() == null) {
      return "the task has no form";
    }
    return fields.hasForm() ? "not a field of " + fields.source() : "not named by " + fields.source();
  }

  private static String message(TaskEntity task, TaskFields fields, List<String> refused) {
    String what = fields.source() == null ? " has no form and accepts no variables"
        : fields.hasForm() ? " accepts only its form's fields"
        : " accepts only the variables its " + FormFieldsCache.ALLOWED_VARIABLES + " property names";
    String name = task.getName() == null ? "" : " (" + task.getName() + ")";
    return CODE + " task " + task.getTaskDefinitionKey() + name + what + ": refused variable"
        + (refused.size() > 1 ? "s " : " ") + String.join(", ", refused) + WHY;
  }
}
