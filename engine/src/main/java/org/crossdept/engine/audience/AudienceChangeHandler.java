package org.crossdept.engine.audience;

import java.util.List;
import java.util.Set;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.history.event.HistoricVariableUpdateEventEntity;
import org.camunda.bpm.engine.impl.history.event.HistoryEvent;
import org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler;

/**
 * Notes every write of an audience variable (created, updated, removed), whoever makes it and
 * through whichever API: the engine produces a history event for each, in the command that writes
 * it. Who may write them is the enforcement rule's business (ENGINE-CROSSDEPT-09); this only
 * makes the grants follow.
 */
final class AudienceChangeHandler implements HistoryEventHandler {

  @Override
  public void handleEvent(HistoryEvent event) {
    if (!(event instanceof HistoricVariableUpdateEventEntity variable) || variable.getProcessInstanceId() == null) {
      return;
    }
    AudienceDeclaration declaration = AudienceDeclaration.of(variable.getProcessDefinitionId());
    if (!declaration.names(variable.getVariableName())) {
      return;
    }
    Set<String> ids;
    try {
      ids = AudienceIds.written(variable);
    } catch (IllegalArgumentException e) {
      return; // the enforcement rule refuses it (ENGINE-CROSSDEPT-10) and the command rolls back
    }
    Context.getCommandContext().getSession(AudienceChanges.class)
        .written(variable.getProcessInstanceId(), declaration, variable.getVariableName(), ids);
  }

  @Override
  public void handleEvents(List<HistoryEvent> events) {
    events.forEach(this::handleEvent);
  }
}
