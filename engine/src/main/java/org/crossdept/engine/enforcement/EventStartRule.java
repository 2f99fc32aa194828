package org.crossdept.engine.enforcement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.impl.ConditionEvaluationBuilderImpl;
import org.camunda.bpm.engine.impl.MessageCorrelationBuilderImpl;
import org.camunda.bpm.engine.impl.SignalEventReceivedBuilderImpl;
import org.camunda.bpm.engine.impl.cmd.AbstractCorrelateMessageCmd;
import org.camunda.bpm.engine.impl.cmd.CorrelateMessageCmd;
import org.camunda.bpm.engine.impl.cmd.EvaluateStartConditionCmd;
import org.camunda.bpm.engine.impl.cmd.SignalEventReceivedCmd;
import org.camunda.bpm.engine.impl.event.EventType;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.EventSubscriptionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.runtime.ConditionHandlerResult;
import org.camunda.bpm.engine.impl.runtime.ConditionSet;
import org.camunda.bpm.engine.impl.runtime.CorrelationHandlerResult;
import org.camunda.bpm.engine.impl.runtime.CorrelationSet;
import org.camunda.bpm.engine.runtime.MessageCorrelationResultType;

/**
 * The start form rule (ENGINE-CROSSDEPT-08) for the starts that do not go through
 * StartProcessInstanceCmd or SubmitStartFormCmd: a message (POST /message, also with all or
 * startMessagesOnly), a signal (POST /signal) and a conditional start (POST /condition) each start
 * instances with the variables their sender gives. Whoever may start a process that way (Camunda
 * asks only CREATE_INSTANCE, as for a plain start) could otherwise hand later steps variables they
 * trust as the model's own. Each process the event would start is held to its own start form:
 * the targets are found the way the command itself will find them (Camunda's correlation and
 * condition handlers, the signal's start subscriptions), without authorization checks, since the
 * command makes its own afterwards.
 *
 * <p>The workers' user is not held to it: the workers start processes by events with the variables
 * of a step they have checked (the same trust as their external task completions). What an event
 * delivers to a running instance is not a start and not checked here: it needs UPDATE on that
 * instance, the right that lets one set its variables anyway (the variables a process declares as
 * its audience or retention are refused there too, ENGINE-CROSSDEPT-09).
 */
final class EventStartRule {

  private final FormFieldsCache forms;
  private final String workerUser;

  EventStartRule(FormFieldsCache forms, String workerUser) {
    this.forms = forms;
    this.workerUser = workerUser;
  }

  void check(Object command, CommandContext commandContext) {
    if (commandContext.getAuthentication().getUserId().equals(workerUser)) {
      return;
    }
    if (command instanceof AbstractCorrelateMessageCmd) {
      checkMessage(command, commandContext);
    } else if (command instanceof SignalEventReceivedCmd) {
      checkSignal(command, commandContext);
    } else if (command instanceof EvaluateStartConditionCmd) {
      checkCondition(command, commandContext);
    }
  }

  private void checkMessage(Object command, CommandContext commandContext) {
    MessageCorrelationBuilderImpl builder = (MessageCorrelationBuilderImpl) CommandFields.read(command, "builder");
    Map<String, Object> variables = new LinkedHashMap<>();
    putAll(variables, builder.getPayloadProcessInstanceVariables());
    putAll(variables, builder.getPayloadProcessInstanceVariablesLocal());
    putAll(variables, builder.getPayloadProcessInstanceVariablesToTriggeredScope());
    String name = builder.getMessageName();
    if (variables.isEmpty() || name == null) {
      return; // a correlation by instance id alone starts nothing
    }
    boolean startOnly = command instanceof CorrelateMessageCmd && (Boolean) CommandFields.read(command, "startMessageOnly");
    CorrelationSet correlation = new CorrelationSet(builder);
    List<CorrelationHandlerResult> results = commandContext.runWithoutAuthorization(() -> startOnly
        ? commandContext.getProcessEngineConfiguration().getCorrelationHandler()
            .correlateStartMessages(commandContext, name, correlation)
        : commandContext.getProcessEngineConfiguration().getCorrelationHandler()
            .correlateMessages(commandContext, name, correlation));
    List<ProcessDefinitionEntity> started = new ArrayList<>();
    for (CorrelationHandlerResult result : results) {
      if (result.getResultType() == MessageCorrelationResultType.ProcessDefinition) {
        started.add(result.getProcessDefinitionEntity());
      }
    }
    refuse(started, variables, ", also by message '" + name + "'", commandContext);
  }

  private void checkSignal(Object command, CommandContext commandContext) {
    SignalEventReceivedBuilderImpl builder = (SignalEventReceivedBuilderImpl) CommandFields.read(command, "builder");
    Map<String, Object> variables = builder.getVariables();
    if (variables == null || variables.isEmpty() || builder.getExecutionId() != null) {
      return; // sent to one execution: it reaches a running instance only
    }
    List<EventSubscriptionEntity> subscriptions = commandContext.runWithoutAuthorization(() ->
        commandContext.getEventSubscriptionManager().findSignalEventSubscriptionsByEventName(builder.getSignalName()));
    List<ProcessDefinitionEntity> started = new ArrayList<>();
    for (EventSubscriptionEntity subscription : subscriptions) {
      if (subscription.getExecutionId() == null && EventType.SIGNAL.name().equals(subscription.getEventType())) {
        // a start subscription: its configuration is the definition it starts (as SignalEventReceivedCmd reads it)
        ProcessDefinitionEntity definition = commandContext.getProcessEngineConfiguration().getDeploymentCache()
            .findDeployedProcessDefinitionById(subscription.getConfiguration());
        if (definition != null) {
          started.add(definition);
        }
      }
    }
    refuse(started, variables, ", also by signal '" + builder.getSignalName() + "'", commandContext);
  }

  private void checkCondition(Object command, CommandContext commandContext) {
    ConditionEvaluationBuilderImpl builder = (ConditionEvaluationBuilderImpl) CommandFields.read(command, "builder");
    Map<String, Object> variables = builder.getVariables();
    if (variables == null || variables.isEmpty()) {
      return;
    }
    ConditionSet conditions = new ConditionSet(builder);
    List<ConditionHandlerResult> results = commandContext.runWithoutAuthorization(() -> commandContext
        .getProcessEngineConfiguration().getConditionHandler().evaluateStartCondition(commandContext, conditions));
    List<ProcessDefinitionEntity> started = new ArrayList<>();
    results.forEach(result -> started.add(result.getProcessDefinition()));
    refuse(started, variables, ", also by a conditional start", commandContext);
  }

  private void refuse(List<ProcessDefinitionEntity> started, Map<String, Object> variables, String how,
                      CommandContext commandContext) {
    Map<String, String> refusals = new HashMap<>();
    for (ProcessDefinitionEntity process : started) {
      List<String> refused = TaskVariablesRule.refusedAtStart(variables, forms.startFieldsOf(process, commandContext));
      if (!refused.isEmpty()) {
        refusals.putIfAbsent(process.getId(), TaskVariablesRule.startMessage(process, how, refused));
      }
    }
    if (!refusals.isEmpty()) {
      throw new TaskVariablesRefusedException(String.join("; ", refusals.values()));
    }
  }

  private static void putAll(Map<String, Object> into, Map<String, Object> variables) {
    if (variables != null) {
      into.putAll(variables);
    }
  }
}
