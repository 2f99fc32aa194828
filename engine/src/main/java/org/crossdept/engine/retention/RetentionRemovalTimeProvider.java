package org.crossdept.engine.retention;

import java.util.Date;
import org.camunda.bpm.engine.impl.batch.history.HistoricBatchEntity;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.history.DefaultHistoryRemovalTimeProvider;
import org.camunda.bpm.engine.impl.history.HistoryRemovalTimeProvider;
import org.camunda.bpm.engine.impl.history.event.HistoricDecisionInstanceEntity;
import org.camunda.bpm.engine.impl.history.event.HistoricProcessInstanceEventEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.repository.DecisionDefinition;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The removal time of a finished root process instance's history: its end plus the days in the
 * variable its process declares ({@link RetentionDeclaration}), otherwise what Camunda computes
 * from the definition's historyTimeToLive (the wrapped provider).
 *
 * <p>Why here: with the removal-time strategy {@code end} (Camunda's default, ours), the engine asks
 * this provider once, while the root instance ends (DefaultHistoryEventProducer
 * .createProcessInstanceEndEvt, inside the process end listener, so the instance's variables are
 * still there), and itself writes the answer onto everything recorded under that root: the
 * instance, called instances, activity instances, tasks, variables, details, identity links,
 * comments, attachments, incidents, job and external-task logs, the user-operation log and the
 * decision instances evaluated in it. History cleanup (strategy removalTimeBased) then deletes by
 * that time. Setting a removal time afterwards (a listener, a batch "set removal time") would
 * need a second write of every table and could be lost if the instance ends in another way.
 */
public final class RetentionRemovalTimeProvider implements HistoryRemovalTimeProvider {

  private static final Logger LOG = LoggerFactory.getLogger(RetentionRemovalTimeProvider.class);

  private final HistoryRemovalTimeProvider fallback;

  public RetentionRemovalTimeProvider(HistoryRemovalTimeProvider fallback) {
    this.fallback = fallback;
  }

  @Override
  public Date calculateRemovalTime(HistoricProcessInstanceEventEntity root, ProcessDefinition definition) {
    RetentionDeclaration declaration = RetentionDeclaration.of(definition.getId());
    if (!declaration.isDeclared() || root.getEndTime() == null) {
      // Not declared: Camunda's rule. Still running (strategy start): the variable is not known yet.
      return fallback.calculateRemovalTime(root, definition);
    }
    Object value = retentionValue(root, declaration.variable());
    String problem = problem(value);
    if (problem != null) {
      LOG.warn("crossdept retention: process instance {} of {} ended without a usable retention: variable '{}' {}; "
              + "its history is kept for the definition's historyTimeToLive ({} days) instead",
          root.getProcessInstanceId(), declaration.processKey(), declaration.variable(), problem,
          definition.getHistoryTimeToLive());
      return fallback.calculateRemovalTime(root, definition);
    }
    return DefaultHistoryRemovalTimeProvider.determineRemovalTime(root.getEndTime(), ((Number) value).intValue());
  }

  @Override
  public Date calculateRemovalTime(HistoricDecisionInstanceEntity root, DecisionDefinition definition) {
    return fallback.calculateRemovalTime(root, definition);
  }

  @Override
  public Date calculateRemovalTime(HistoricBatchEntity batch) {
    return fallback.calculateRemovalTime(batch);
  }

  /** The variable as the ending instance holds it (the runtime instance, from the command's cache). */
  private static Object retentionValue(HistoricProcessInstanceEventEntity root, String variable) {
    ExecutionEntity instance = Context.getCommandContext().getExecutionManager()
        .findExecutionById(root.getProcessInstanceId());
    return instance == null ? null : instance.getVariableLocal(variable);
  }

  /** Why {@code value} is no number of days, or null if it is one. */
  static String problem(Object value) {
    if (value == null) {
      return "is not set";
    }
    if (!(value instanceof Integer || value instanceof Long || value instanceof Short)) {
      return "is a " + value.getClass().getSimpleName() + " (" + value + "), not an Integer number of days";
    }
    long days = ((Number) value).longValue();
    if (days < 0 || days > Integer.MAX_VALUE) {
      return "is " + days + ", not a number of days from 0 to " + Integer.MAX_VALUE;
    }
    return null;
  }
}
