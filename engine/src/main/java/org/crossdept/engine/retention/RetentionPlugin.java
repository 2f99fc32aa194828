package org.crossdept.engine.retention;

import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Per-instance history retention (issue 13: a share is kept as long as decision
 * sharing-permissions says for its category and sensitivity, not as long as the longest of them):
 * installs {@link RetentionRemovalTimeProvider} around the provider the engine configured.
 *
 * <p>postInit, because the engine creates its default provider and strategy in init (after
 * preInit). The retention applies only with the removal-time strategy {@code end}: with
 * {@code start} the removal time is fixed when the instance starts, before any step has decided
 * the retention; then the definitions' historyTimeToLive applies and the start-up log says so.
 */
@Component
public class RetentionPlugin extends AbstractProcessEnginePlugin {

  private static final Logger LOG = LoggerFactory.getLogger(RetentionPlugin.class);

  @Override
  public void postInit(ProcessEngineConfigurationImpl configuration) {
    configuration.setHistoryRemovalTimeProvider(
        new RetentionRemovalTimeProvider(configuration.getHistoryRemovalTimeProvider()));
    if (!ProcessEngineConfiguration.HISTORY_REMOVAL_TIME_STRATEGY_END.equals(
        configuration.getHistoryRemovalTimeStrategy())) {
      LOG.warn("crossdept retention: history removal time strategy is '{}', not 'end': per-instance retention "
          + "(process property {}) cannot apply, every instance keeps its definition's historyTimeToLive",
          configuration.getHistoryRemovalTimeStrategy(), RetentionDeclaration.PROPERTY);
    }
  }
}
