package org.crossdept.engine.identity;

import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Installs {@link TechnicalUserIdentityProvider} for the user named by {@code crossdept.worker-user}
 * (written by {@code crossdept engine start}; {@code CROSSDEPT_ENGINE_USER} in docker-compose).
 * Without that property the engine keeps Camunda's identity provider unchanged.
 */
@Component
public class TechnicalUserPlugin extends AbstractProcessEnginePlugin {

  private final String technicalUserId;

  public TechnicalUserPlugin(@Value("${crossdept.worker-user:}") String technicalUserId) {
    this.technicalUserId = technicalUserId;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    if (StringUtils.hasText(technicalUserId)) {
      configuration.setIdentityProviderSessionFactory(
          new TechnicalUserIdentityProviderFactory(technicalUserId.trim()));
    }
  }
}
