package org.crossdept.engine.authorization;

import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.springframework.stereotype.Component;

/**
 * Installs {@link ReassignmentAuthorizationProvider}: a task moved to someone else is no longer
 * readable by its previous assignee, and its initiator and the assignee's department heads may
 * read it. Set in preInit, before the engine would install Camunda's
 * default provider (it only does so when none is set).
 */
@Component
public class ReassignmentAuthorizationPlugin extends AbstractProcessEnginePlugin {

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    configuration.setResourceAuthorizationProvider(new ReassignmentAuthorizationProvider());
  }
}
