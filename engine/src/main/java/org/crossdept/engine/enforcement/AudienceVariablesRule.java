package org.crossdept.engine.enforcement;

import java.util.List;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.history.event.HistoricVariableUpdateEventEntity;
import org.camunda.bpm.engine.impl.history.event.HistoryEvent;
import org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.crossdept.engine.audience.AudienceDeclaration;
import org.crossdept.engine.audience.AudienceIds;
import org.crossdept.engine.retention.RetentionDeclaration;

/**
 * The variables that say who may see an instance (those its process declares, see
 * {@link AudienceDeclaration}) are written only by the workers' user, an administrator or the
 * engine itself: whoever else could write them could let themselves or anyone read the content.
 * Refused for everyone else on every path, not just completions and starts: the rule sees each
 * variable write through the history event the engine produces for it in the writing command
 * (start, start form, task completion, set or remove variable, message correlation, signal,
 * external task completion), and the refusal rolls the whole command back. What the workers and
 * administrators write must be a JSON list of ids (not "*"), so the grants mean what they say.
 *
 * <p>The variable that says how long an instance's history is kept ({@link RetentionDeclaration})
 * is held to the same rule: whoever else could write it could make a share's record outlive its
 * retention or vanish at the next history cleanup. Its value is not refused: one that is no number
 * of days falls back to the definition's historyTimeToLive when the instance ends.
 */
final class AudienceVariablesRule implements HistoryEventHandler {

  static final String CODE = "ENGINE-CROSSDEPT-09";
  static final String VALUE_CODE = "ENGINE-CROSSDEPT-10";

  private static final String AUDIENCE_WHY = " says who may see the instance: only the workers' user or an "
      + "administrator writes it, so no one can widen the audience of what they publish or receive";
  private static final String RETENTION_WHY = " says how long the instance's history is kept: only the workers' "
      + "user or an administrator writes it, so no one can shorten or lengthen the record of what they did";

  private final String workerUser;

  AudienceVariablesRule(String workerUser) {
    this.workerUser = workerUser;
  }

  @Override
  public void handleEvent(HistoryEvent event) {
    if (!(event instanceof HistoricVariableUpdateEventEntity variable) || variable.getProcessInstanceId() == null) {
      return;
    }
    String name = variable.getVariableName();
    AudienceDeclaration audience = AudienceDeclaration.of(variable.getProcessDefinitionId());
    RetentionDeclaration retention = RetentionDeclaration.of(variable.getProcessDefinitionId());
    boolean audienceVariable = audience.names(name);
    if (!audienceVariable && !retention.names(name)) {
      return;
    }
    CommandContext commandContext = Context.getCommandContext();
    if (Caller.isRestricted(commandContext) && !commandContext.getAuthentication().getUserId().equals(workerUser)) {
      throw new ReservedForAdministratorsException(CODE + " variable '" + name + "' of process "
          + audience.processKey() + (audienceVariable ? AUDIENCE_WHY : RETENTION_WHY));
    }
    if (!audienceVariable) {
      return;
    }
    try {
      AudienceIds.written(variable);
    } catch (IllegalArgumentException e) {
      throw new TaskVariablesRefusedException(VALUE_CODE + " variable '" + name + "' of process "
          + audience.processKey() + " must be a JSON list of group or user ids: " + e.getMessage());
    }
  }

  @Override
  public void handleEvents(List<HistoryEvent> events) {
    events.forEach(this::handleEvent);
  }
}
