package org.crossdept.engine.enforcement;

import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;

/**
 * Looks at every command before it runs, inside its command context and transaction.
 *
 * <p>Why a command interceptor: every client ends in the same command objects (REST and the
 * webapps' API call the Java services, which build commands such as CompleteTaskCmd,
 * SubmitTaskFormCmd, SetTaskVariablesCmd or ModifyProcessInstanceCmd and hand them to the
 * command executor). A REST filter would see only one client and would have to parse every
 * request body format; a listener sees variables only after they are written, and one per
 * variable, without knowing which API wrote them. Installed after Camunda's
 * CommandContextInterceptor (a "post" interceptor), it can read the task, its deployment and the
 * current authentication; a refusal rolls the whole command back, so nothing is written. Nested
 * commands pass through it too, which only matters for administrators (allowed anyway) and engine
 * jobs (no authenticated user, allowed like Camunda's own authorization checks allow them).
 */
class ModelEnforcementInterceptor extends CommandInterceptor {

  private final TaskVariablesRule taskVariables;
  private final EventStartRule eventStarts;

  ModelEnforcementInterceptor(FormFieldsCache forms, String workerUser) {
    this.taskVariables = new TaskVariablesRule(forms);
    this.eventStarts = new EventStartRule(forms, workerUser);
  }

  @Override
  public <T> T execute(Command<T> command) {
    CommandContext commandContext = Context.getCommandContext();
    if (commandContext != null && Caller.isRestricted(commandContext)) {
      ModelShortcutRule.check(command);
      taskVariables.check(command, commandContext);
      eventStarts.check(command, commandContext);
    }
    return next.execute(command);
  }
}
