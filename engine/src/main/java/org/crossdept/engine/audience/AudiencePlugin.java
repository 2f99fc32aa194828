package org.crossdept.engine.audience;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.history.event.HistoryEventTypes;
import org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler;
import org.camunda.bpm.engine.impl.interceptor.SessionFactory;
import org.springframework.stereotype.Component;

/**
 * Per-instance access for processes that declare an audience ({@link AudienceDeclaration}): when
 * their audience variables are written, the engine grants the instance, its tasks and its history
 * to exactly those groups and users and the initiator, and takes back what a former audience had
 * ({@link AudienceGrants}).
 *
 * <p>Historic instance permissions are switched on here rather than in application.yml because
 * the grants on HISTORIC_PROCESS_INSTANCE mean nothing without them and no configuration may turn
 * them off. With them on, Camunda's own provider would also give every assignee and candidate
 * READ on their historic task; ours does not ({@code ReassignmentAuthorizationProvider}), so the
 * history of processes without an audience stays as closed as before.
 */
@Component
public class AudiencePlugin extends AbstractProcessEnginePlugin {

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    configuration.setEnableHistoricInstancePermissions(true);
    List<SessionFactory> sessions = configuration.getCustomSessionFactories() == null ? new ArrayList<>()
        : new ArrayList<>(configuration.getCustomSessionFactories());
    sessions.add(new AudienceChanges.Factory());
    configuration.setCustomSessionFactories(sessions);
    List<HistoryEventHandler> handlers = configuration.getCustomHistoryEventHandlers() == null ? new ArrayList<>()
        : new ArrayList<>(configuration.getCustomHistoryEventHandlers());
    handlers.add(new AudienceChangeHandler());
    configuration.setCustomHistoryEventHandlers(handlers);
  }

  /** Writes are seen through their history events: without them no audience would be enforced, silently. */
  @Override
  public void postInit(ProcessEngineConfigurationImpl configuration) {
    if (!configuration.getHistoryLevel().isHistoryEventProduced(HistoryEventTypes.VARIABLE_INSTANCE_UPDATE, null)) {
      throw new IllegalStateException("history level " + configuration.getHistoryLevel().getName()
          + " records no variable updates: per-instance audiences need history level audit or full");
    }
  }
}
