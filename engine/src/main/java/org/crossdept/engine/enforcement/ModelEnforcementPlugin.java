package org.crossdept.engine.enforcement;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The engine enforces the model for every client: REST (/engine-rest), the webapps' own API that
 * Tasklist and Cockpit call (/camunda/api/engine/...), and the Java API. The Spring Boot starter
 * hands every ProcessEnginePlugin bean to the engine configuration (CamundaBpmConfiguration), so
 * being a @Component is all it takes to be installed.
 *
 * <p>What it refuses, for everyone but administrators (see {@link Caller}):
 * <ul>
 *   <li>{@link ModelShortcutRule}: starts with start instructions, skipped listeners or skipped
 *       input/output mappings; process instance modification (sync, async, batch); restarts;
 *       migrations.</li>
 *   <li>{@link TaskVariablesRule}: a user task's completion, form submission, BPMN error or
 *       escalation, and setting or removing variables through the task, may write only that
 *       task's form fields (plus the task's {@code allowedVariables} property), and read-only
 *       fields only unchanged; a start only its start form's fields.</li>
 *   <li>{@link EventStartRule}: a start by message, signal or condition likewise only the start
 *       form's fields of each process it starts (the workers' user excepted).</li>
 *   <li>{@link AudienceVariablesRule}: the variables a process declares as its audience are
 *       and the one it declares as its retention are written only by the workers' user
 *       ({@code crossdept.worker-user}) or an administrator.</li>
 * </ul>
 */
@Component
public class ModelEnforcementPlugin extends AbstractProcessEnginePlugin {

  private final String workerUser;

  public ModelEnforcementPlugin(@Value("${crossdept.worker-user:}") String workerUser) {
    this.workerUser = workerUser.trim();
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    List<HistoryEventHandler> handlers = configuration.getCustomHistoryEventHandlers() == null ? new ArrayList<>()
        : new ArrayList<>(configuration.getCustomHistoryEventHandlers());
    handlers.add(new AudienceVariablesRule(workerUser));
    configuration.setCustomHistoryEventHandlers(handlers);
    ModelEnforcementInterceptor interceptor = new ModelEnforcementInterceptor(new FormFieldsCache(), workerUser);
    configuration.setCustomPostCommandInterceptorsTxRequired(
        withInterceptor(configuration.getCustomPostCommandInterceptorsTxRequired(), interceptor));
    configuration.setCustomPostCommandInterceptorsTxRequiresNew(
        withInterceptor(configuration.getCustomPostCommandInterceptorsTxRequiresNew(), interceptor));
  }

  private static List<CommandInterceptor> withInterceptor(
      List<CommandInterceptor> existing, CommandInterceptor interceptor) {
    List<CommandInterceptor> interceptors = existing == null ? new ArrayList<>() : new ArrayList<>(existing);
    interceptors.add(interceptor);
    return interceptors;
  }
}
