package org.crossdept.engine.completion;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * A person's task completion is not refused because a worker or a timer changed the same
 * instance in the same moment (see {@link CompletionRetryInterceptor}).
 *
 * <p>Why in the engine: the conflict is between two transactions the engine runs, and every
 * client (Tasklist, REST, the webapps' API) would otherwise show the person a 500 for a form that
 * was fine. A "pre" interceptor, outside Camunda's transaction interceptor, so each attempt is a
 * transaction of its own, and our enforcement (a "post" interceptor) checks every attempt again.
 */
@Component
public class CompletionRetryPlugin extends AbstractProcessEnginePlugin {

  private final int attempts;

  public CompletionRetryPlugin(@Value("${crossdept.completion-attempts:4}") int attempts) {
    this.attempts = Math.max(1, attempts);
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    List<CommandInterceptor> existing = configuration.getCustomPreCommandInterceptorsTxRequired();
    List<CommandInterceptor> interceptors = existing == null ? new ArrayList<>() : new ArrayList<>(existing);
    interceptors.add(new CompletionRetryInterceptor(attempts));
    configuration.setCustomPreCommandInterceptorsTxRequired(interceptors);
  }
}
