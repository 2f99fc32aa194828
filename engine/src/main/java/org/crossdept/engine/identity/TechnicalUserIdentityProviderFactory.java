package org.crossdept.engine.identity;

import org.camunda.bpm.engine.impl.interceptor.Session;
import org.camunda.bpm.engine.impl.interceptor.SessionFactory;

/**
 * Opens a {@link TechnicalUserIdentityProvider} per command, as Camunda's default factory opens a
 * {@code DbIdentityServiceProvider}; its session type makes the engine register it for both the
 * read-only and the writable identity provider.
 */
public class TechnicalUserIdentityProviderFactory implements SessionFactory {

  private final String technicalUserId;

  public TechnicalUserIdentityProviderFactory(String technicalUserId) {
    this.technicalUserId = technicalUserId;
  }

  @Override
  public Class<?> getSessionType() {
    return TechnicalUserIdentityProvider.class;
  }

  @Override
  public Session openSession() {
    return new TechnicalUserIdentityProvider(technicalUserId);
  }
}
